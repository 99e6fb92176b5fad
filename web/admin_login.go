package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/metrics"
)

type adminLoginView struct {
	Email  string
	Error  string
	Notice string
	// Member is set when the browser holds a member's session, which does
	// not open the admin area.
	Member bool
}

// adminLoginPage shows the platform admins' sign-in form.
func (s *Server) adminLoginPage(c *gin.Context) error {
	if _, ok, err := s.signedInAdmin(c); err != nil {
		return err
	} else if ok {
		c.Redirect(http.StatusSeeOther, "/admin")
		return nil
	}
	v := adminLoginView{Notice: s.adminFlash(c)}
	sess, ok, err := s.browserSession(c)
	if err != nil {
		return err
	}
	v.Member = ok && sess.MemberID != ""
	s.render(c, http.StatusOK, "admin_login", "admin_login_title", v)
	return nil
}

// adminLoginSubmit checks an admin's credentials. Like the members' sign-in,
// every failure (malformed or unknown email, wrong password) gives the same
// message, status and cost, too many attempts give 429 with Retry-After,
// and the device cookie works as on the members' sign-in.
func (s *Server) adminLoginSubmit(c *gin.Context) error {
	email, password := c.PostForm("email"), c.PostForm("password")
	v := adminLoginView{Email: email}
	fail := func(status int, key string) error {
		v.Error = s.msg(c, key)
		s.render(c, status, "admin_login", "admin_login_title", v)
		return nil
	}
	if len(email) > 254 || len(password) > 4096 {
		return fail(http.StatusUnauthorized, "admin_login_failed")
	}
	subject := account.AdminSignInSubject(email)
	admin, err := s.Accounts.AuthenticateAdminFrom(c.Request.Context(), account.Credentials{
		Email: email, Password: password, IP: c.ClientIP(), Device: s.device(c, subject),
	})
	switch {
	case errors.Is(err, account.ErrThrottled):
		s.signInOutcome(metrics.SignInThrottled)
		setRetryAfter(c, err)
		return fail(http.StatusTooManyRequests, "admin_login_throttled")
	case errors.Is(err, account.ErrInvalidCredentials):
		s.signInOutcome(metrics.SignInInvalid)
		return fail(http.StatusUnauthorized, "admin_login_failed")
	case err != nil:
		return err
	}
	s.signInOutcome(metrics.SignInSecondFactor)
	// The session opens after the second step, which every admin passes
	// (enrolling first when they have no second factor).
	return s.adminSecondStep(c, admin.ID, subject)
}

// adminLogout ends the browser's session.
func (s *Server) adminLogout(c *gin.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/login?done=admin_done_logout")
	return nil
}

package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
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
func (s *Server) adminLoginPage(c *gin.Context) {
	if _, ok := s.signedInAdmin(c); ok {
		c.Redirect(http.StatusSeeOther, "/admin")
		return
	}
	v := adminLoginView{Notice: s.adminFlash(c)}
	if sess, ok := s.browserSession(c); ok && sess.MemberID != "" {
		v.Member = true
	}
	s.render(c, http.StatusOK, "admin_login", "admin_login_title", v)
}

// adminLoginSubmit checks an admin's credentials. Like the members' sign-in,
// every failure (malformed or unknown email, wrong password) gives the same
// message, status and cost, and too many failures give 429.
func (s *Server) adminLoginSubmit(c *gin.Context) {
	email, password := c.PostForm("email"), c.PostForm("password")
	v := adminLoginView{Email: email}
	fail := func(status int, key string) {
		v.Error = s.msg(c, key)
		s.render(c, status, "admin_login", "admin_login_title", v)
	}
	if len(email) > 254 || len(password) > 4096 {
		fail(http.StatusUnauthorized, "admin_login_failed")
		return
	}
	admin, err := s.Accounts.AuthenticateAdmin(c.Request.Context(), email, password, c.ClientIP())
	switch {
	case errors.Is(err, account.ErrThrottled):
		c.Header("Retry-After", "900")
		fail(http.StatusTooManyRequests, "admin_login_throttled")
		return
	case errors.Is(err, account.ErrInvalidCredentials):
		fail(http.StatusUnauthorized, "admin_login_failed")
		return
	case err != nil:
		s.Logger.ErrorContext(c.Request.Context(), "admin sign-in", "err", err)
		s.errorPage(c, http.StatusInternalServerError, "error_internal")
		return
	}
	// A new session (and id) replaces whatever this browser held, a
	// member's session included.
	if _, err := s.startSession(c, "", admin.ID); err != nil {
		s.Logger.ErrorContext(c.Request.Context(), "start admin session", "err", err)
		s.errorPage(c, http.StatusInternalServerError, "error_internal")
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin")
}

// adminLogout ends the browser's session.
func (s *Server) adminLogout(c *gin.Context) {
	s.endSession(c)
	c.Redirect(http.StatusSeeOther, "/admin/login?done=admin_done_logout")
}

package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
)

type changePasswordView struct {
	Rules        []passwordRule
	Error        string
	PwError      bool // the error is the new password's
	CurrentError bool // the error is the current password's
	ConfirmError string
	Success      bool
}

// passwordPage lets a signed-in person change their password.
func (s *Server) passwordPage(c *gin.Context) error {
	if _, ok, err := s.memberSession(c); !ok {
		return err
	}
	s.render(c, http.StatusOK, "password", "password_title", changePasswordView{Rules: s.rules(c, nil), Success: c.Query("done") == "1"})
	return nil
}

func (s *Server) passwordSubmit(c *gin.Context) error {
	sess, ok, err := s.memberSession(c)
	if !ok {
		return err
	}
	raw, _ := c.Cookie(s.sessionCookie())
	err = s.Accounts.ChangePassword(c.Request.Context(), account.PasswordChange{
		MemberID: sess.MemberID, Current: c.PostForm("current_password"), New: c.PostForm("password"),
		Confirm: c.PostForm("password_confirm"), KeepSession: raw, IP: c.ClientIP(),
	})
	var policy *account.PolicyError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/account/password?done=1")
	case errors.As(err, &policy):
		var v changePasswordView
		v.Rules, v.Error, v.PwError, v.ConfirmError = s.newPasswordRefused(c, policy.Failures)
		s.render(c, http.StatusBadRequest, "password", "password_title", v)
	case errors.Is(err, account.ErrInvalidCredentials):
		s.render(c, http.StatusBadRequest, "password", "password_title", changePasswordView{
			Rules: s.rules(c, nil), Error: s.msg(c, "password_wrong_current"), CurrentError: true})
	case errors.Is(err, account.ErrThrottled):
		setRetryAfter(c, err)
		s.render(c, http.StatusTooManyRequests, "password", "password_title", changePasswordView{
			Rules: s.rules(c, nil), Error: s.msg(c, "login_throttled"), CurrentError: true})
	default:
		return err
	}
	return nil
}

package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/members"
)

// Forgotten passwords: a form asks for the email (and the account ID for a
// login account) and always answers the same; the emailed link leads to a
// form for the new password.
func (s *Server) mountReset(r gin.IRouter) {
	r.GET("/password-reset", s.page(s.resetRequestPage))
	r.POST("/password-reset", s.page(s.resetRequestSubmit))
	r.GET("/password-reset/:token", s.page(s.resetPage))
	r.POST("/password-reset/:token", s.page(s.resetSubmit))
}

type resetRequestView struct {
	Email     string
	AccountID string
	Sent      bool
	Error     string
}

func (s *Server) resetRequestPage(c *gin.Context) error {
	v := resetRequestView{Email: c.Query("email")}
	if id, ok := account.NormalizeAccountID(c.Query("account_id")); ok {
		v.AccountID = id
	}
	s.render(c, http.StatusOK, "reset_request", "reset_title", v)
	return nil
}

func (s *Server) resetRequestSubmit(c *gin.Context) error {
	v := resetRequestView{Email: c.PostForm("email"), AccountID: c.PostForm("account_id")}
	// Only the request is stored before the answer, the same for anyone:
	// the work whose duration would tell who exists (finding the person,
	// writing a link, queuing its mail) is done afterwards by the
	// instances' reset worker. Once stored, the request survives a crash or
	// a restart; when it cannot be stored, the form says so rather than
	// "sent".
	req := members.ResetRequest{Email: v.Email, AccountID: v.AccountID, Lang: langOf(c), IP: c.ClientIP()}
	if err := s.Members.QueueReset(c.Request.Context(), req); err != nil {
		var inv *members.InvalidError
		if errors.As(err, &inv) {
			v.Error = s.msg(c, "console_invalid_email")
			s.render(c, http.StatusBadRequest, "reset_request", "reset_title", v)
			return nil
		}
		s.Logger.ErrorContext(c.Request.Context(), "password reset request not stored", "err", err)
		return newError(http.StatusServiceUnavailable, "unavailable", "error_unavailable").wrap(err)
	}
	s.render(c, http.StatusOK, "reset_request", "reset_title", resetRequestView{Sent: true})
	return nil
}

type resetView struct {
	Token        string
	Rules        []passwordRule
	Error        string
	PwError      bool
	ConfirmError string
}

func (s *Server) resetPage(c *gin.Context) error {
	if err := s.Members.ResetLinkValid(c.Request.Context(), c.Param("token")); err != nil {
		return resetLinkError(err)
	}
	s.render(c, http.StatusOK, "reset_password", "reset_title", resetView{Token: c.Param("token"), Rules: s.rules(c, nil)})
	return nil
}

// resetLinkError tells of a reset link that no longer works as gone;
// other errors pass unchanged.
func resetLinkError(err error) error {
	if errors.Is(err, members.ErrLinkInvalid) {
		return newError(http.StatusGone, "link_invalid", "reset_link_invalid").wrap(err)
	}
	return err
}

func (s *Server) resetSubmit(c *gin.Context) error {
	token := c.Param("token")
	m, err := s.Members.ResetPassword(c.Request.Context(), token, c.PostForm("password"), c.PostForm("password_confirm"), c.ClientIP())
	var policy *account.PolicyError
	switch {
	case err == nil:
		q := url.Values{"email": {m.Email}, "password_set": {"1"}}
		if m.Role != account.RoleOwner {
			q.Set("tab", "member")
			q.Set("account_id", m.AccountID)
		}
		c.Redirect(http.StatusSeeOther, "/login?"+q.Encode())
	case errors.As(err, &policy):
		v := resetView{Token: token}
		v.Rules, v.Error, v.PwError, v.ConfirmError = s.newPasswordRefused(c, policy.Failures)
		s.render(c, http.StatusBadRequest, "reset_password", "reset_title", v)
	default:
		return resetLinkError(err)
	}
	return nil
}

package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/members"
)

type passwordRule struct {
	Code    string
	Message string
	Failed  bool
}

type setPasswordView struct {
	Token     string
	AccountID string
	Email     string
	Name      string
	Rules     []passwordRule
	Error     string
	PwError   bool
	// ConfirmError is the refusal of the confirmation (the two passwords
	// differ), shown next to it.
	ConfirmError string
	Invite       *inviteContext
}

// inviteContext is what the set-password page tells of the invitation:
// the account's name (its ID is for the person to type), who invited,
// the rights and until when the link works.
type inviteContext struct {
	AccountName string
	Inviter     string
	Rights      string
	Expires     string
}

// inviteContextOf describes the invitation of token, or nil when the link
// no longer works (the caller tells why).
func (s *Server) inviteContextOf(c *gin.Context, inv members.Invitation) (*inviteContext, error) {
	acct, err := s.Accounts.Account(c.Request.Context(), inv.AccountID)
	if err != nil {
		return nil, err
	}
	rights, _ := json.Marshal(inv.Grants)
	inviter := inv.InvitedByEmail
	if inviter == members.OperatorEmail || inviter == "" {
		inviter = s.msg(c, "invitation_inviter_owner")
	}
	return &inviteContext{
		AccountName: acct.Name, Inviter: inviter, Rights: s.activityRights(c, string(rights)),
		Expires: s.dates(c).DateTime(inv.ExpiresAt),
	}, nil
}

func (s *Server) mountInvitation(r gin.IRouter) {
	r.GET("/invitation/:token", s.page(s.setPasswordPage))
	r.POST("/invitation/:token", s.page(s.setPasswordSubmit))
}

func (s *Server) rules(c *gin.Context, failed []account.PolicyFailure) []passwordRule {
	bad := map[account.PolicyFailure]bool{}
	for _, f := range failed {
		bad[f] = true
	}
	var out []passwordRule
	for _, r := range account.Rules() {
		out = append(out, passwordRule{Code: string(r), Message: s.ruleMessage(c, r), Failed: bad[r]})
	}
	for _, f := range []account.PolicyFailure{account.FailureTooLong, account.FailureMismatch} {
		if bad[f] {
			out = append(out, passwordRule{Code: string(f), Message: s.ruleMessage(c, f), Failed: true})
		}
	}
	return out
}

// ruleMessageKey is the catalog key of the sentence that states a rule of
// the password policy.
func ruleMessageKey(f account.PolicyFailure) string { return "password_rule_" + string(f) }

// ruleMessage states the rule that f breaks in the request's language.
func (s *Server) ruleMessage(c *gin.Context, f account.PolicyFailure) string {
	return s.msg(c, ruleMessageKey(f), "Min", account.MinPasswordRunes, "Max", account.MaxPasswordBytes)
}

// setPasswordPage opens the invitation link: a form for the account ID,
// the email, the password and its confirmation, with the rules shown.
func (s *Server) setPasswordPage(c *gin.Context) error {
	inv, err := s.Members.Pending(c.Request.Context(), c.Param("token"))
	if err != nil {
		return invitationLinkError(err)
	}
	ctx, err := s.inviteContextOf(c, inv)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "invitation", "invitation_title", setPasswordView{Token: c.Param("token"), Rules: s.rules(c, nil), Invite: ctx})
	return nil
}

// invitationLinkError tells of an invitation link that no longer works as
// gone; other errors pass unchanged.
func invitationLinkError(err error) error {
	if errors.Is(err, members.ErrLinkUsed) {
		return newError(http.StatusGone, "link_used", "invitation_link_used").wrap(err)
	}
	if errors.Is(err, members.ErrLinkInvalid) {
		return newError(http.StatusGone, "link_invalid", "invitation_link_invalid").wrap(err)
	}
	return err
}

func (s *Server) setPasswordSubmit(c *gin.Context) error {
	v := setPasswordView{Token: c.Param("token"), AccountID: c.PostForm("account_id"), Email: c.PostForm("email"), Name: c.PostForm("name")}
	if len(v.AccountID) > 32 || len(v.Email) > 254 || len(v.Name) > 400 {
		v.Error, v.Rules = s.msg(c, "invitation_mismatch"), s.rules(c, nil)
		s.render(c, http.StatusBadRequest, "invitation", "invitation_title", v)
		return nil
	}
	if inv, err := s.Members.Pending(c.Request.Context(), v.Token); err == nil {
		if v.Invite, err = s.inviteContextOf(c, inv); err != nil {
			return err
		}
	}
	m, err := s.Members.Accept(c.Request.Context(), members.Acceptance{
		Token: v.Token, AccountID: v.AccountID, Email: v.Email, Name: v.Name,
		Password: c.PostForm("password"), PasswordConfirm: c.PostForm("password_confirm"), IP: c.ClientIP(),
	})
	var policy *account.PolicyError
	switch {
	case err == nil:
		q := url.Values{"tab": {"member"}, "account_id": {m.AccountID}, "email": {m.Email}, "password_set": {"1"}}
		c.Redirect(http.StatusSeeOther, "/login?"+q.Encode())
	case errors.As(err, &policy):
		s.policyRefused(c, &v, policy.Failures)
		s.render(c, http.StatusBadRequest, "invitation", "invitation_title", v)
	case errors.Is(err, members.ErrMismatch):
		v.Error, v.Rules = s.msg(c, "invitation_mismatch"), s.rules(c, nil)
		s.render(c, http.StatusBadRequest, "invitation", "invitation_title", v)
	case errors.Is(err, account.ErrInvalidName):
		v.Error, v.Rules = s.msg(c, "invitation_bad_name"), s.rules(c, nil)
		s.render(c, http.StatusBadRequest, "invitation", "invitation_title", v)
	default:
		// Already a member is a 409 page; a used link is gone.
		return invitationLinkError(err)
	}
	return nil
}

// policyRefused fills v after the policy refused a password.
func (s *Server) policyRefused(c *gin.Context, v *setPasswordView, failures []account.PolicyFailure) {
	v.Rules, v.Error, v.PwError, v.ConfirmError = s.newPasswordRefused(c, failures)
}

// newPasswordRefused tells of a new password the policy refused: the
// rules it broke and their message for the password field, and a
// mismatch of the confirmation as the confirmation field's message.
func (s *Server) newPasswordRefused(c *gin.Context, failures []account.PolicyFailure) (rules []passwordRule, msg string, pwError bool, confirm string) {
	var rest []account.PolicyFailure
	for _, f := range failures {
		if f == account.FailureMismatch {
			confirm = s.ruleMessage(c, account.FailureMismatch)
		} else {
			rest = append(rest, f)
		}
	}
	if len(rest) > 0 {
		msg, pwError = s.msg(c, "invitation_weak"), true
	}
	return s.rules(c, rest), msg, pwError, confirm
}

package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/oauth"
)

// mountMFAPolicy mounts the owner's second-factor policy: in the console
// and as PATCH /api/v1/accounts/{account_id}.
func (s *Server) mountMFAPolicy(r gin.IRouter) {
	r.PATCH(membersAPIPrefix+":account_id", s.api(s.requireActor(oauth.ScopeMembers)), s.api(s.apiPatchAccount))
	r.POST("/console/mfa-policy", s.page(s.requireConsole), s.page(s.consoleMFAPolicy))
	r.POST("/console/members/:id/reset-mfa", s.page(s.requireConsole), s.page(s.consoleResetMFA))
}

// canResetMFA reports whether actor a may remove the second factor of
// login account memberID: a is the owner, and there is one.
func (s *Server) canResetMFA(c *gin.Context, a members.Actor, memberID string) (bool, error) {
	if !ownerOf(a, a.AccountID) {
		return false, nil
	}
	f, err := s.Accounts.SecondFactors(c.Request.Context(), memberID)
	return f.Any(), err
}

// consoleResetMFA removes a login account's second factors (the owner's
// decision, recorded in the activity log): it enrols again at its next
// sign-in if the policy requires one.
func (s *Server) consoleResetMFA(c *gin.Context) error {
	ctx, a := c.Request.Context(), actorOf(c)
	m, err := s.ownersLoginAccount(c, a)
	if err != nil {
		return err
	}
	if err := s.Accounts.ResetSecondFactors(ctx, m.ID, a.Email, c.ClientIP()); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_mfa_reset")
	return nil
}

type accountPolicy struct {
	AccountID  string `json:"account_id"`
	RequireMFA bool   `json:"require_mfa"`
}

// ownersLoginAccount returns the login account named by the path's :id
// for a console action that only the owner (or the operator) takes on a
// login account of the account: anyone else, or an owner's record, is
// refused.
func (s *Server) ownersLoginAccount(c *gin.Context, a members.Actor) (members.LoginAccount, error) {
	if !ownerOf(a, a.AccountID) {
		return members.LoginAccount{}, forbidden("forbidden", "console_forbidden")
	}
	m, err := s.Members.Get(c.Request.Context(), a, a.AccountID, c.Param("id"))
	if err != nil {
		return members.LoginAccount{}, err
	}
	if m.Role != account.RoleMember {
		return members.LoginAccount{}, forbidden("forbidden", "console_forbidden")
	}
	return m, nil
}

// ownerOf reports whether a may set the policies of accountID: its owner
// or the platform operator.
func ownerOf(a members.Actor, accountID string) bool {
	return a.Operator || (a.Owner && a.AccountID == accountID)
}

// apiPatchAccount sets the account's policy: {"require_mfa": true|false}.
// Only the owner may.
func (s *Server) apiPatchAccount(c *gin.Context) error {
	var body struct {
		RequireMFA *bool `json:"require_mfa"`
	}
	if err := s.bindJSON(c, &body); err != nil {
		return err
	}
	if body.RequireMFA == nil {
		return badRequest("invalid_body", "api_patch_empty")
	}
	a, id := actorOf(c), c.Param("account_id")
	if !ownerOf(a, id) {
		return forbidden("forbidden", "api_forbidden")
	}
	if err := s.Accounts.SetRequireMFA(c.Request.Context(), id, *body.RequireMFA, a.MemberID, a.Email, c.ClientIP()); err != nil {
		return err
	}
	c.JSON(http.StatusOK, accountPolicy{AccountID: id, RequireMFA: *body.RequireMFA})
	return nil
}

// consoleMFAPolicy is the console's checkbox "require a second factor of
// login accounts"; only the owner may change it.
func (s *Server) consoleMFAPolicy(c *gin.Context) error {
	a := actorOf(c)
	if !ownerOf(a, a.AccountID) {
		return forbidden("forbidden", "console_forbidden")
	}
	if err := s.Accounts.SetRequireMFA(c.Request.Context(), a.AccountID, c.PostForm("require_mfa") == "1", a.MemberID, a.Email, c.ClientIP()); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_mfa_policy")
	return nil
}

// consoleMFA fills the console's view of second factors: the policy and
// who has one.
func (s *Server) consoleMFA(c *gin.Context, v *consoleView) error {
	require, with, err := s.Accounts.MFAPolicy(c.Request.Context(), v.Account.ID)
	if err != nil {
		return err
	}
	v.RequireMFA = require
	for i := range v.Members {
		v.Members[i].MFA = with[v.Members[i].ID]
	}
	return nil
}

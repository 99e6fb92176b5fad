package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/oauth"
	"github.com/sesame-idp/sesame/rbac"
)

// mountMembersAPI adds the management API of DESIGN.md §3. Calls are
// authorized by the browser session (CSRF-checked by the group) or by a
// bearer token with scope sesame:members.
func (s *Server) mountMembersAPI(r gin.IRouter) {
	g := r.Group("/api/v1/accounts/:account_id", s.requireActor(oauth.ScopeMembers))
	g.GET("/members", s.apiListMembers)
	g.POST("/members", s.apiInvite)
	g.GET("/members/:id", s.apiGetMember)
	g.PATCH("/members/:id", s.apiPatchMember)
	g.DELETE("/members/:id", s.apiDeleteMember)
	g.GET("/invitations", s.apiListInvitations)
	g.DELETE("/invitations/:id", s.apiRevokeInvitation)
	g.POST("/invitations/:id/resend", s.apiResendInvitation)
	g.GET("/audit", s.apiAudit)
}

func (s *Server) requireActor(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, err := s.actor(c, scope); err != nil {
			s.apiFail(c, err)
		}
	}
}

func actorOf(c *gin.Context) members.Actor { return c.MustGet("actor").(members.Actor) }

// grantInput is one right of a request body: "domain:read", or
// {"right":"server:operate","expires_at":"2026-12-01T00:00:00Z"} for a
// time-limited grant.
type grantInput rbac.Grant

func (g *grantInput) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &g.Right)
	}
	var v struct {
		Right     string     `json:"right"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	g.Right, g.ExpiresAt = v.Right, v.ExpiresAt
	return nil
}

func grantsOf(in []grantInput) []rbac.Grant {
	out := make([]rbac.Grant, len(in))
	for i, g := range in {
		out[i] = rbac.Grant(g)
	}
	return out
}

// bindJSON decodes a bounded JSON body strictly: unknown fields and
// trailing data are errors, reported as 400 with the reason.
func (s *Server) bindJSON(c *gin.Context, v any) bool {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	if err != nil {
		c.AbortWithStatusJSON(http.StatusBadRequest, apiError{Error: "invalid_json", Message: fmt.Sprintf("The body must be one JSON object: %v", err)})
		return false
	}
	return true
}

func (s *Server) apiListMembers(c *gin.Context) {
	list, err := s.Members.List(c.Request.Context(), actorOf(c), c.Param("account_id"))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"members": list})
}

func (s *Server) apiGetMember(c *gin.Context) {
	m, err := s.Members.Get(c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id"))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

func (s *Server) apiInvite(c *gin.Context) {
	var body struct {
		Email  string       `json:"email"`
		Rights []grantInput `json:"rights"`
		Lang   string       `json:"lang"`
	}
	if !s.bindJSON(c, &body) {
		return
	}
	lang := langOf(c)
	if l, ok := i18n.Parse(body.Lang); ok {
		lang = string(l) // the invitee's language, when the caller names it
	}
	inv, err := s.Members.Invite(c.Request.Context(), actorOf(c), members.InviteRequest{
		AccountID: c.Param("account_id"), Email: body.Email, Grants: grantsOf(body.Rights), Lang: lang,
	})
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"invitation_id": inv.ID, "expires_at": inv.ExpiresAt, "invitation": inv, "mail": "queued"})
}

func (s *Server) apiPatchMember(c *gin.Context) {
	var body struct {
		Rights *[]grantInput `json:"rights"`
		Status *string       `json:"status"`
	}
	if !s.bindJSON(c, &body) {
		return
	}
	if body.Rights == nil && body.Status == nil {
		c.AbortWithStatusJSON(http.StatusBadRequest, apiError{Error: "invalid_body", Message: `Give "rights" and/or "status".`})
		return
	}
	if body.Status != nil && *body.Status != "active" && *body.Status != "disabled" {
		c.AbortWithStatusJSON(http.StatusBadRequest, apiError{Error: "invalid_status", Message: `"status" is "active" or "disabled".`})
		return
	}
	ctx, a, acct, id := c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id")
	if body.Rights != nil {
		if err := s.Members.SetGrants(ctx, a, acct, id, grantsOf(*body.Rights)); err != nil {
			s.apiFail(c, err)
			return
		}
	}
	if body.Status != nil {
		if err := s.Members.SetDisabled(ctx, a, acct, id, *body.Status == "disabled"); err != nil {
			s.apiFail(c, err)
			return
		}
	}
	s.apiGetMember(c)
}

func (s *Server) apiDeleteMember(c *gin.Context) {
	if err := s.Members.Delete(c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id")); err != nil {
		s.apiFail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) apiListInvitations(c *gin.Context) {
	list, err := s.Members.Invitations(c.Request.Context(), actorOf(c), c.Param("account_id"))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"invitations": list})
}

func (s *Server) apiRevokeInvitation(c *gin.Context) {
	if err := s.Members.Revoke(c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id")); err != nil {
		s.apiFail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) apiResendInvitation(c *gin.Context) {
	inv, err := s.Members.Resend(c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id"), c.Query("lang"))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"invitation_id": inv.ID, "expires_at": inv.ExpiresAt, "invitation": inv, "mail": "queued"})
}

func (s *Server) apiAudit(c *gin.Context) {
	events, err := s.Members.Audit(c.Request.Context(), actorOf(c), c.Param("account_id"), 200)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"events": events})
}

package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
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
	g := r.Group(membersAPIPrefix+":account_id", s.api(s.requireActor(oauth.ScopeMembers)))
	g.GET("/members", s.api(s.apiListMembers))
	g.POST("/members", s.api(s.apiInvite))
	g.GET("/members/:id", s.api(s.apiGetMember))
	g.PATCH("/members/:id", s.api(s.apiPatchMember))
	g.DELETE("/members/:id", s.api(s.apiDeleteMember))
	g.GET("/invitations", s.api(s.apiListInvitations))
	g.DELETE("/invitations/:id", s.api(s.apiRevokeInvitation))
	g.POST("/invitations/:id/resend", s.api(s.apiResendInvitation))
	g.GET("/audit", s.api(s.apiAudit))
}

// requireActor lets through the requests of a person: a browser session
// or a bearer token holding scope.
func (s *Server) requireActor(scope string) handler {
	return func(c *gin.Context) error {
		_, err := s.actor(c, scope)
		return err
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
// trailing data are errors, reported as 400 naming the place or the field
// when the decoder says which. A string holding NUL or invalid UTF-8 is
// refused too, whatever Content-Type the body came with.
func (s *Server) bindJSON(c *gin.Context, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10))
	if err == nil && !cleanJSON(raw) {
		return badRequest("invalid_request", "error_bad_input")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(v)
	}
	if err == nil && dec.More() {
		err = errTrailingJSON
	}
	if err == nil {
		return nil
	}
	e := badRequest("invalid_json", "api_invalid_json").wrap(err)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &syntax):
		e.detail("api_invalid_json_syntax").with("Offset", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		e.detail("api_invalid_json_field").with("Field", clipInput(typ.Field))
	case errors.As(err, &tooBig):
		e.detail("api_invalid_json_size")
	}
	return e
}

// errTrailingJSON is a body with more after its JSON object.
var errTrailingJSON = errors.New("web: unexpected data after the JSON object")

func (s *Server) apiListMembers(c *gin.Context) error {
	list, err := s.Members.List(c.Request.Context(), actorOf(c), c.Param("account_id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"members": list})
	return nil
}

func (s *Server) apiGetMember(c *gin.Context) error {
	m, err := s.Members.Get(c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, m)
	return nil
}

func (s *Server) apiInvite(c *gin.Context) error {
	var body struct {
		Email  string       `json:"email"`
		Rights []grantInput `json:"rights"`
		Lang   string       `json:"lang"`
	}
	if err := s.bindJSON(c, &body); err != nil {
		return err
	}
	lang := langOf(c)
	if l, ok := i18n.Parse(body.Lang); ok {
		lang = string(l) // the invitee's language, when the caller names it
	}
	inv, err := s.Members.Invite(c.Request.Context(), actorOf(c), members.InviteRequest{
		AccountID: c.Param("account_id"), Email: body.Email, Grants: grantsOf(body.Rights), Lang: lang,
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"invitation_id": inv.ID, "expires_at": inv.ExpiresAt, "invitation": inv, "mail": "queued"})
	return nil
}

func (s *Server) apiPatchMember(c *gin.Context) error {
	var body struct {
		Rights *[]grantInput `json:"rights"`
		Status *string       `json:"status"`
	}
	if err := s.bindJSON(c, &body); err != nil {
		return err
	}
	if body.Rights == nil && body.Status == nil {
		return badRequest("invalid_body", "api_patch_empty")
	}
	if body.Status != nil && *body.Status != "active" && *body.Status != "disabled" {
		return badRequest("invalid_status", "api_invalid_status")
	}
	ctx, a, acct, id := c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id")
	if body.Rights != nil {
		if err := s.Members.SetGrants(ctx, a, acct, id, grantsOf(*body.Rights)); err != nil {
			return err
		}
	}
	if body.Status != nil {
		if err := s.Members.SetDisabled(ctx, a, acct, id, *body.Status == "disabled"); err != nil {
			return err
		}
	}
	return s.apiGetMember(c)
}

func (s *Server) apiDeleteMember(c *gin.Context) error {
	if err := s.Members.Delete(c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiListInvitations(c *gin.Context) error {
	list, err := s.Members.Invitations(c.Request.Context(), actorOf(c), c.Param("account_id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"invitations": list})
	return nil
}

func (s *Server) apiRevokeInvitation(c *gin.Context) error {
	if err := s.Members.Revoke(c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiResendInvitation(c *gin.Context) error {
	inv, err := s.Members.Resend(c.Request.Context(), actorOf(c), c.Param("account_id"), c.Param("id"), c.Query("lang"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"invitation_id": inv.ID, "expires_at": inv.ExpiresAt, "invitation": inv, "mail": "queued"})
	return nil
}

func (s *Server) apiAudit(c *gin.Context) error {
	events, err := s.Members.Audit(c.Request.Context(), actorOf(c), c.Param("account_id"), 200)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"events": events})
	return nil
}

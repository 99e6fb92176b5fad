package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/oauth"
)

// errNoActor means the request carries neither a browser session nor a
// usable bearer token.
var errNoActor = errors.New("web: not signed in")

// actor returns who makes the request: the person of the browser session,
// or the person behind a bearer access token holding scope (the
// management API accepts tokens with sesame:members from any client).
func (s *Server) actor(c *gin.Context, scope string) (members.Actor, error) {
	if v, ok := c.Get("actor"); ok {
		return v.(members.Actor), nil
	}
	var memberID string
	if auth := c.GetHeader("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		_, ar, err := s.OAuth.OAuth2.IntrospectToken(c.Request.Context(), strings.TrimPrefix(auth, "Bearer "), fosite.AccessToken, oauth.NewSession())
		if err != nil || !ar.GetGrantedScopes().Has(scope) {
			return members.Actor{}, errNoActor
		}
		sess, ok := ar.GetSession().(*oauth.Session)
		if !ok || sess.AccountID == "" { // a client acting for itself has no account
			return members.Actor{}, errNoActor
		}
		memberID = sess.Subject
	} else if sess, ok := s.browserSession(c); ok && sess.MemberID != "" {
		memberID = sess.MemberID
	} else {
		return members.Actor{}, errNoActor
	}
	a, err := s.Members.ActorFor(c.Request.Context(), memberID, c.ClientIP())
	if err != nil {
		return members.Actor{}, errNoActor
	}
	c.Set("actor", a)
	return a, nil
}

// apiFail writes the JSON error of err with the matching status.
func (s *Server) apiFail(c *gin.Context, err error) {
	status, code, msg := s.classify(c, err)
	c.AbortWithStatusJSON(status, apiError{Error: code, Message: msg})
}

// classify maps a service error to an HTTP status, an error code and a
// message fit for the person (details go to the log only).
func (s *Server) classify(c *gin.Context, err error) (int, string, string) {
	var inv *members.InvalidError
	switch {
	case errors.Is(err, errNoActor):
		return http.StatusUnauthorized, "unauthorized", s.msg(c, "api_unauthorized")
	case errors.Is(err, members.ErrForbidden):
		return http.StatusForbidden, "forbidden", s.msg(c, "api_forbidden")
	case errors.Is(err, members.ErrNotFound):
		return http.StatusNotFound, "not_found", s.msg(c, "api_not_found")
	case errors.Is(err, members.ErrAlreadyMember):
		return http.StatusConflict, "already_member", s.msg(c, "api_already_member")
	case errors.Is(err, members.ErrAlreadyInvited):
		return http.StatusConflict, "already_invited", s.msg(c, "api_already_invited")
	case errors.Is(err, members.ErrTooManyInvitations):
		return http.StatusTooManyRequests, "too_many_invitations", s.msg(c, "api_too_many_invitations")
	case errors.Is(err, members.ErrLinkInvalid):
		return http.StatusConflict, "invitation_not_pending", s.msg(c, "api_invitation_not_pending")
	case errors.As(err, &inv):
		return http.StatusBadRequest, "invalid_" + inv.Field, inv.Err.Error()
	}
	s.Logger.ErrorContext(c.Request.Context(), "request failed", "path", c.Request.URL.Path, "err", err)
	return http.StatusInternalServerError, "server_error", s.msg(c, "error_internal")
}

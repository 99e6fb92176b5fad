package web

import (
	"errors"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/oauth"
)

// errNoActor means the request carries neither a browser session nor a
// usable bearer token.
var errNoActor = errors.New("web: not signed in")

// actor returns who makes the request: the person behind a bearer access
// token holding scope (the management API accepts tokens with
// sesame:members from any client), or else the person of the browser
// session. A request with a bearer header is judged by its token alone:
// the CSRF check was skipped for it (bearerCall), so its cookie must not
// count.
func (s *Server) actor(c *gin.Context, scope string) (members.Actor, error) {
	if v, ok := c.Get("actor"); ok {
		return v.(members.Actor), nil
	}
	var memberID string
	if token, ok := bearerToken(c.Request); ok {
		_, ar, err := s.OAuth.OAuth2.IntrospectToken(c.Request.Context(), token, fosite.AccessToken, oauth.NewSession())
		if err != nil {
			if cause := storageCause(err); cause != nil {
				return members.Actor{}, cause
			}
			return members.Actor{}, errNoActor
		}
		if !ar.GetGrantedScopes().Has(scope) {
			return members.Actor{}, errNoActor
		}
		sess, ok := ar.GetSession().(*oauth.Session)
		if !ok || sess.AccountID == "" { // a client acting for itself has no account
			return members.Actor{}, errNoActor
		}
		memberID = sess.Subject
	} else if sess, ok, err := s.browserSession(c); err != nil {
		return members.Actor{}, err
	} else if ok && sess.MemberID != "" {
		memberID = sess.MemberID
	} else {
		return members.Actor{}, errNoActor
	}
	a, err := s.Members.ActorFor(c.Request.Context(), memberID, c.ClientIP())
	switch {
	case errors.Is(err, account.ErrNotFound), errors.Is(err, members.ErrForbidden):
		// The member is gone or disabled: nobody is signed in.
		return members.Actor{}, errNoActor
	case err != nil:
		return members.Actor{}, err
	}
	c.Set("actor", a)
	return a, nil
}

// storageCause returns the database failure behind a token that could not
// be checked (fosite reports it as an unauthorized request), or nil when
// the token is simply not valid.
func storageCause(err error) error {
	if db.IsStorageFailure(err) {
		return storageFailure(err)
	}
	return nil
}

// storageFailure returns the cause fosite wraps in err (a storage failure
// it reports as the caller's fault, or a server_error), for classify: the
// fosite error itself would be told as what it claims.
func storageFailure(err error) error {
	var rfc *fosite.RFC6749Error
	if errors.As(err, &rfc) && rfc.Cause() != nil && rfc.Cause() != error(rfc) {
		return storageFailure(rfc.Cause())
	}
	return err
}

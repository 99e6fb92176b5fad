package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/oauth"
)

type logoutView struct {
	Redirect string // a checked post-logout redirect URI, or ""
	State    string
	Client   string // the existing client named by the hint or client_id
	// Requested is the post_logout_redirect_uri the request named, checked
	// or not: the confirmation form carries it, to be checked again.
	Requested string
}

// logoutPage serves RP-initiated logout (the end_session_endpoint) and the
// sign-out link of Sésame's own pages. With a valid id_token_hint naming
// the signed-in person, the browser is signed out at once and sent back to
// the client; otherwise the person confirms with a form (CSRF-protected),
// so that a forged link cannot sign anybody out.
func (s *Server) logoutPage(c *gin.Context) error {
	v, hintSub, err := s.logoutTarget(c, c.Query("id_token_hint"), c.Query("post_logout_redirect_uri"), c.Query("client_id"), c.Query("state"))
	if err != nil {
		return err
	}
	if hintSub != "" {
		sess, ok, err := s.browserSession(c)
		if err != nil {
			return err
		}
		if !ok || sess.MemberID == hintSub {
			if err := s.endSession(c); err != nil {
				return err
			}
			s.afterLogout(c, v)
			return nil
		}
	}
	s.render(c, http.StatusOK, "logout", "logout_title", v)
	return nil
}

func (s *Server) logoutSubmit(c *gin.Context) error {
	v, _, err := s.logoutTarget(c, c.PostForm("id_token_hint"), c.PostForm("post_logout_redirect_uri"), c.PostForm("client_id"), c.PostForm("state"))
	if err != nil {
		return err
	}
	if err := s.endSession(c); err != nil {
		return err
	}
	s.afterLogout(c, v)
	return nil
}

// afterLogout sends the signed-out browser back to the client when its
// post-logout redirect URI was accepted. Otherwise there is no redirect: a
// page says that the person is signed out, or, after Sésame's own sign-out
// link (no client, no URI), the login page follows and says so.
func (s *Server) afterLogout(c *gin.Context, v logoutView) {
	if v.Redirect == "" && (v.Requested != "" || v.Client != "") {
		s.render(c, http.StatusOK, "signed_out", "signed_out_title", nil)
		return
	}
	if v.Redirect == "" {
		c.Redirect(http.StatusSeeOther, "/login?signed_out=1")
		return
	}
	target := v.Redirect
	if v.State != "" {
		u, _ := url.Parse(target)
		q := u.Query()
		q.Set("state", v.State)
		u.RawQuery = q.Encode()
		target = u.String()
	}
	c.Redirect(http.StatusSeeOther, target)
}

// logoutTarget keeps post_logout_redirect_uri only when it is exactly one
// of the post-logout redirect URIs registered by the client named by the
// hint (or by client_id when there is no hint). Anything else is dropped,
// so the endpoint is no open redirect. It also returns the subject of a
// valid hint ("" otherwise). The error is a storage failure.
func (s *Server) logoutTarget(c *gin.Context, hint, redirect, clientID, state string) (logoutView, string, error) {
	v := logoutView{State: state, Requested: redirect}
	if len(state) > 512 {
		v.State = ""
	}
	if len(redirect) > 2048 {
		v.Requested = ""
	}
	var sub string
	if hint != "" {
		hs, aud, err := s.OAuth.IDTokenHint(c.Request.Context(), hint)
		switch {
		case err == nil:
			sub, clientID = hs, aud[0]
		case !errors.Is(err, oauth.ErrBadHint):
			return v, "", err
		}
	}
	if clientID == "" {
		return v, sub, nil
	}
	client, err := s.OAuth.Store.GetClient(c.Request.Context(), clientID)
	if db.IsStorageFailure(err) {
		return v, "", err
	}
	if err != nil {
		return v, sub, nil // no such client
	}
	v.Client = client.GetID()
	if pl, ok := client.(interface{ PostLogoutRedirectURIAllowed(string) bool }); ok && pl.PostLogoutRedirectURIAllowed(redirect) {
		v.Redirect = redirect
	}
	return v, sub, nil
}

package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/oauth"
)

// What the authorization endpoint does with some parameters before fosite
// reads the request:
//   - request and request_uri (request objects, OIDC Core §6) are not
//     supported: they are taken out, and once the redirect URI is known to
//     be registered the client gets request_not_supported or
//     request_uri_not_supported (fosite would answer before checking it).
//   - acr_values keeps only oauth.ACRMFA, the one level Sésame offers
//     (a second factor, asked for again when the session lacks one); other
//     values are ignored, since fosite would answer them with acr "0".
//   - scopes the client may not request are ignored (RFC 6749 §3.3): the
//     token response's scope says what was granted.

// authorizeParams is an authorization request made ready for fosite.
type authorizeParams struct {
	r *http.Request
	// unsupported is the error owed to a request object, or nil.
	unsupported *fosite.RFC6749Error
}

func (s *Server) prepareAuthorize(ctx context.Context, r *http.Request) authorizeParams {
	q := r.URL.Query()
	var p authorizeParams
	switch {
	case q.Get("request_uri") != "":
		p.unsupported = fosite.ErrRequestURINotSupported.WithHint("Sesame does not support request_uri.")
	case q.Get("request") != "":
		p.unsupported = fosite.ErrRequestNotSupported.WithHint("Sesame does not support request objects.")
	}
	q.Del("request")
	q.Del("request_uri")
	if slices.Contains(strings.Fields(q.Get("acr_values")), oauth.ACRMFA) {
		q.Set("acr_values", oauth.ACRMFA)
	} else {
		q.Del("acr_values")
	}
	if scope, ok := q["scope"]; ok && len(scope) == 1 {
		if client, err := s.OAuth.Store.GetClient(ctx, q.Get("client_id")); err == nil {
			var kept []string
			for _, sc := range strings.Fields(scope[0]) {
				if slices.Contains(client.GetScopes(), sc) && !slices.Contains(kept, sc) {
					kept = append(kept, sc)
				}
			}
			q.Set("scope", strings.Join(kept, " "))
		}
	}
	r2 := r.Clone(ctx)
	u := *r.URL
	u.RawQuery = q.Encode()
	r2.URL = &u
	r2.Form, r2.PostForm = nil, nil
	p.r = r2
	return p
}

// redirectValid reports whether errors of ar may be sent to its redirect
// URI. fosite lets a loopback redirect URI (127.0.0.1, [::1]) use any
// port, as RFC 8252 §7.3 asks for native apps; Sésame keeps that for
// public clients only: a confidential client's redirect URI must match
// exactly.
func redirectValid(ar fosite.AuthorizeRequester) bool {
	if ar == nil || !ar.IsRedirectURIValid() {
		return false
	}
	client := ar.GetClient()
	if client.IsPublic() {
		return true
	}
	given := ar.GetRequestForm().Get("redirect_uri")
	return given == "" || slices.Contains(client.GetRedirectURIs(), given)
}

// withIssuer adds iss (RFC 9207) to the authorization response or error
// that fosite redirects to the client with, so that a client talking to
// several providers can tell which one answered.
type withIssuer struct {
	gin.ResponseWriter
	issuer string
}

func (w withIssuer) WriteHeader(status int) {
	if loc := w.Header().Get("Location"); loc != "" && status >= 300 && status < 400 {
		if u, err := url.Parse(loc); err == nil {
			q := u.Query()
			q.Set("iss", w.issuer)
			u.RawQuery = q.Encode()
			w.Header().Set("Location", u.String())
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

// toClient returns the writer of a response that redirects to the client.
func (s *Server) toClient(c *gin.Context) http.ResponseWriter {
	return withIssuer{ResponseWriter: c.Writer, issuer: s.Issuer}
}

// authorizePost serves POST to the authorization endpoint (OIDC Core
// §3.1.2.1): the form becomes the query of the GET request, which the
// browser then makes. The body was size-limited; a repeated parameter is
// refused as on GET.
func (s *Server) authorizePost(c *gin.Context) error {
	body, _ := c.Get(bodyKey)
	raw, _ := body.([]byte)
	if name, ok := repeated(string(raw)); ok {
		s.authorizeError(c, nil, fosite.ErrInvalidRequest.WithHintf("The parameter '%s' is included more than once.", name))
		return nil
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		s.authorizeError(c, nil, fosite.ErrInvalidRequest.WithHint("The request body is not a form."))
		return nil
	}
	c.Redirect(http.StatusSeeOther, oauth.PathAuthorize+"?"+form.Encode())
	return nil
}

// uiLocale is the first language of ui_locales (OIDC Core §3.1.2.1) that
// Sésame's pages speak.
func uiLocale(form url.Values) (i18n.Lang, bool) {
	for _, tag := range strings.Fields(form.Get("ui_locales")) {
		if l, ok := i18n.Parse(tag); ok {
			return l, true
		}
	}
	return "", false
}

package web

import (
	"mime"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/oauth"
)

// Request parameters of the authorization and token endpoints "MUST NOT be
// included more than once" (RFC 6749 §3.1, §3.2). fosite reads the first
// of repeated values, and what sits in front of Sésame may read another:
// such requests are refused with invalid_request before fosite sees them.

// authorizeParamsOnce guards the authorization endpoint. The error is a
// page, never a redirect: the redirect URI may be the repeated parameter.
func (s *Server) authorizeParamsOnce(c *gin.Context) {
	if name, ok := repeated(c.Request.URL.RawQuery); ok {
		s.authorizeError(c, nil, fosite.ErrInvalidRequest.WithHintf("The parameter '%s' is included more than once.", name))
		c.Abort()
		return
	}
	c.Next()
}

// clientParamsOnce guards the endpoints that clients post to (token,
// introspection, revocation): their parameters come in the query and the
// form body, and none may appear twice across both. The error is OAuth's
// JSON error.
func (s *Server) clientParamsOnce(c *gin.Context) {
	r := c.Request
	switch r.URL.Path {
	case oauth.PathToken, oauth.PathIntrospect, oauth.PathRevoke:
	default:
		c.Next()
		return
	}
	raw := r.URL.RawQuery
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if body, ok := c.Get(bodyKey); ok && media == "application/x-www-form-urlencoded" {
		if raw != "" {
			raw += "&"
		}
		raw += string(body.([]byte))
	}
	if name, ok := repeated(raw); ok {
		s.OAuth.OAuth2.WriteAccessError(r.Context(), c.Writer, nil,
			fosite.ErrInvalidRequest.WithHintf("The parameter '%s' is included more than once.", name))
		c.Abort()
		return
	}
	c.Next()
}

// repeated returns a parameter that raw (a query string or a form body)
// holds more than once.
func repeated(raw string) (string, bool) {
	vals, _ := url.ParseQuery(raw)
	for name, vs := range vals {
		if len(vs) > 1 {
			return name, true
		}
	}
	return "", false
}

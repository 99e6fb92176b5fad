package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"
)

// csrfField is the name of the hidden CSRF field of every form; API calls
// authenticated by the session cookie send the token in csrfHeader.
const (
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
)

// csrf protects every state-changing request of the browser group with
// gorilla/csrf: a masked token tied to a signed cookie, plus an Origin
// check. Only a call of the management API with a bearer token skips it:
// there the token is the credential, and the cookie is not looked at (see
// actor). Anywhere else a bearer header changes nothing, since the cookie
// is what authorizes the request.
func (s *Server) csrf() gin.HandlerFunc {
	protect := csrf.Protect(s.Secrets.Key("csrf"),
		csrf.FieldName(csrfField),
		csrf.RequestHeader(csrfHeader),
		csrf.CookieName("sesame_csrf"),
		csrf.Path("/"),
		csrf.Secure(s.secure),
		csrf.HttpOnly(true),
		csrf.SameSite(csrf.SameSiteLaxMode),
		csrf.MaxAge(0),
		// A refusal writes nothing here: the middleware answers it below,
		// through gin and the request's language, like any other page.
		csrf.ErrorHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})),
	)
	return func(c *gin.Context) {
		r := c.Request
		if !s.secure {
			r = csrf.PlaintextHTTPRequest(r)
		}
		if bearerCall(r) {
			r = csrf.UnsafeSkipCheck(r)
		}
		passed := false
		protect(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			passed = true
			c.Request = r
			c.Next()
		})).ServeHTTP(c.Writer, r)
		if !passed {
			s.csrfFailed(c)
			c.Abort()
		}
	}
}

// csrfFailed answers a request whose CSRF token is missing or wrong: a
// page for forms, JSON for API calls, both in the request's language
// through the usual renderer. Nothing was changed.
func (s *Server) csrfFailed(c *gin.Context) {
	if wantsJSON(c.Request) {
		c.JSON(http.StatusForbidden, apiError{Error: "csrf_failed", Message: s.msg(c, "error_csrf")})
		return
	}
	s.errorPage(c, http.StatusForbidden, "error_csrf")
}

// apiError is the JSON error body of every API: {"error":"code","message":"…"}.
type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") ||
		strings.Contains(r.Header.Get("Content-Type"), "application/json") ||
		strings.Contains(r.Header.Get("Accept"), "application/json")
}

// membersAPIPrefix is the path of the management API, the only one of the
// browser group that a bearer token authorizes.
const membersAPIPrefix = "/api/v1/accounts/"

// bearerCall reports whether r is a call of the management API carrying a
// bearer token, which actor then takes as the only credential.
func bearerCall(r *http.Request) bool {
	_, ok := bearerToken(r)
	return ok && strings.HasPrefix(r.URL.Path, membersAPIPrefix)
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	return strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
}

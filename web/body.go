package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/oauth"
)

// Request bodies are read whole, within these limits, before anything
// parses them (CSRF check, fosite, handlers): a form of Sésame holds a few
// fields, a JSON call of the APIs at most a list of rights or a template.
const (
	maxFormBody = 64 << 10
	maxJSONBody = 1 << 20
)

// bodyKey is where limitBody leaves the body it read, for checkInput.
const bodyKey = "web.body"

// limitBody reads the request body, refusing with 413 one longer than its
// limit, and with 415 a multipart body: nothing in Sésame takes an upload,
// and parsing one spools it to disk. Handlers then read the copy in memory.
func (s *Server) limitBody(c *gin.Context) {
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody {
		c.Next()
		return
	}
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if strings.HasPrefix(media, "multipart/") {
		s.refuse(c, newError(http.StatusUnsupportedMediaType, "unsupported_media_type", "error_media_type"))
		return
	}
	limit := int64(maxFormBody)
	if media == "application/json" {
		limit = maxJSONBody
	}
	if r.ContentLength > limit {
		s.refuse(c, tooLarge())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, limit))
	r.Body.Close()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.refuse(c, tooLarge())
			return
		}
		// The client went away or sent a broken chunked body.
		s.refuse(c, badRequest("invalid_request", "error_bad_input").wrap(err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	c.Set(bodyKey, body)
	c.Next()
}

func tooLarge() *Error {
	return newError(http.StatusRequestEntityTooLarge, "request_too_large", "error_body_too_large")
}

// refuse answers a request stopped before its handler: JSON for the APIs
// and the endpoints called by OAuth clients, the error page for browsers.
func (s *Server) refuse(c *gin.Context, e *Error) {
	if s.answersJSON(c.Request) {
		s.apiFail(c, e)
		return
	}
	s.pageError(c, "error", e)
}

func (s *Server) answersJSON(r *http.Request) bool {
	switch r.URL.Path {
	case oauth.PathToken, oauth.PathIntrospect, oauth.PathRevoke, oauth.PathUserinfo:
		return true
	}
	return wantsJSON(r)
}

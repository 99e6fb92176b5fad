package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// handler is a handler of Sésame: it writes its answer, or returns the
// error that one of the wrappers below tells the client of.
type handler func(c *gin.Context) error

// page adapts a page handler: an error becomes the error page, in the
// person's language, with the status of the error.
func (s *Server) page(h handler) gin.HandlerFunc {
	return s.pageIn("error", h)
}

// adminPage is page for the admin area, whose error page leads back to
// the admin home.
func (s *Server) adminPage(h handler) gin.HandlerFunc {
	return s.pageIn("admin_error", h)
}

func (s *Server) pageIn(template string, h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.pageError(c, template, err)
		}
	}
}

// api adapts a handler of the JSON APIs: an error becomes
// {"error":"code","message":"…"} with the status of the error.
func (s *Server) api(h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.apiFail(c, err)
		}
	}
}

// pageError renders err as the error page template and stops the chain.
func (s *Server) pageError(c *gin.Context, template string, err error) {
	e := s.classify(c, err)
	c.Abort()
	if c.Writer.Written() {
		return // the answer has started; the log has the error
	}
	s.render(c, e.Status, template, "error_title", errorView{Message: s.message(c, e), Detail: s.detail(c, e), Status: e.Status})
}

// apiFail writes err as the JSON error of the APIs and stops the chain.
// The message is the precise reason when there is one.
func (s *Server) apiFail(c *gin.Context, err error) {
	e := s.classify(c, err)
	c.Abort()
	if c.Writer.Written() {
		return
	}
	c.JSON(e.Status, apiError{Error: e.Code, Message: s.apiMessage(c, e)})
}

// fail answers err as JSON under /api/ and as the error page elsewhere,
// for what runs outside a wrapped handler (no route, a panic).
func (s *Server) fail(c *gin.Context, err error) {
	if isAPIPath(c.Request.URL.Path) {
		s.apiFail(c, err)
		return
	}
	s.pageError(c, "error", err)
}

func isAPIPath(p string) bool { return strings.HasPrefix(p, "/api/") }

// message is the message of e in the request's language.
func (s *Server) message(c *gin.Context, e *Error) string { return s.text(c, e.Key, e.Args) }

// detail is the precise message of e, or "".
func (s *Server) detail(c *gin.Context, e *Error) string {
	if e.DetailKey == "" {
		return ""
	}
	return s.text(c, e.DetailKey, e.Args)
}

// apiMessage is the message of e for an API client: the precise one when
// there is one.
func (s *Server) apiMessage(c *gin.Context, e *Error) string {
	if d := s.detail(c, e); d != "" {
		return d
	}
	return s.message(c, e)
}

// text is the message key in the request's language with the values of
// args in place of its {{.Name}} placeholders.
func (s *Server) text(c *gin.Context, key string, args map[string]any) string {
	pairs := make([]any, 0, 2*len(args))
	for name, v := range args {
		pairs = append(pairs, name, v)
	}
	return s.msg(c, key, pairs...)
}

// noRoute answers a path or a method nothing serves: JSON under /api/,
// the error page elsewhere.
func (s *Server) noRoute(status int, pageKey, apiKey string) gin.HandlerFunc {
	code := "not_found"
	if status == http.StatusMethodNotAllowed {
		code = "method_not_allowed"
	}
	return func(c *gin.Context) {
		key := pageKey
		if isAPIPath(c.Request.URL.Path) {
			key = apiKey
		}
		s.fail(c, newError(status, code, key))
	}
}

package web

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// checkInput refuses with 400 a request whose path, query, form or JSON
// body holds a NUL byte or invalid UTF-8: PostgreSQL rejects both in text
// (SQLite stores them), so they would fail late, as a 500, on one database
// only. It runs after limitBody, on the body that one read.
func (s *Server) checkInput(c *gin.Context) {
	r := c.Request
	ok := cleanText(r.URL.Path) && cleanValues(r.URL.RawQuery)
	if body, _ := c.Get(bodyKey); ok && body != nil {
		media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch media {
		case "application/x-www-form-urlencoded":
			ok = cleanValues(string(body.([]byte)))
		case "application/json":
			ok = cleanJSON(body.([]byte))
		}
	}
	if !ok {
		s.refuse(c, badRequest("invalid_request", "error_bad_input"))
		return
	}
	c.Next()
}

func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// cleanValues checks the names and values of a query string or form body
// once unescaped. A malformed pair is left for the handler to refuse.
func cleanValues(raw string) bool {
	vals, _ := url.ParseQuery(raw)
	for k, vs := range vals {
		if !cleanText(k) {
			return false
		}
		for _, v := range vs {
			if !cleanText(v) {
				return false
			}
		}
	}
	return true
}

// cleanJSON checks every string of a JSON document, keys included, once
// unescaped: "\u0000" is a NUL too. A document that does not parse is left
// for the handler to refuse.
func cleanJSON(body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	// Without an escape a NUL could only be a raw byte, which no JSON
	// string may hold: the document does not parse. Most bodies end here,
	// without the cost of a token walk.
	if bytes.IndexByte(body, '\\') < 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return true
		}
		if s, ok := tok.(string); ok && strings.ContainsRune(s, 0) {
			return false
		}
	}
}

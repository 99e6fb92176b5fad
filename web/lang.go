package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/i18n"
)

const (
	langCookie = "sesame_lang"
	langKey    = "lang" // where language leaves the request's language in the gin context
)

// language decides the request's language with i18n.Match (?lang=, the
// remembered cookie, Accept-Language, French) and remembers an explicit
// choice in a cookie.
func (s *Server) language(c *gin.Context) {
	lang := s.matchLanguage(c.Writer, c.Request)
	c.Set(langKey, lang)
	// The security notices a request causes are written in its language.
	c.Request = c.Request.WithContext(account.WithLang(c.Request.Context(), string(lang)))
	c.Next()
}

// matchLanguage is the one place a request's language is decided; the
// CSRF failure page, which runs outside gin's handlers, uses it too.
func (s *Server) matchLanguage(w http.ResponseWriter, r *http.Request) i18n.Lang {
	ch := i18n.Choice{
		Explicit:       r.URL.Query().Get("lang"),
		AcceptLanguage: r.Header.Get("Accept-Language"),
	}
	if ck, err := r.Cookie(langCookie); err == nil {
		ch.Remembered = ck.Value
	}
	lang := i18n.Match(ch)
	if l, ok := i18n.Parse(ch.Explicit); ok && ch.Remembered != string(l) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	}
	return lang
}

// langOf returns the request's language ("fr" or "en"), decided by the
// language middleware.
func langOf(c *gin.Context) string { return string(reqLang(c)) }

func reqLang(c *gin.Context) i18n.Lang {
	if l, ok := c.Get(langKey); ok {
		if l, ok := l.(i18n.Lang); ok {
			return l
		}
	}
	return i18n.Default
}

package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"
)

const langCookie = "sesame_lang"

var langMatcher = language.NewMatcher([]language.Tag{language.French, language.English})

// language picks the page language: an explicit ?lang= (remembered in a
// cookie), then the cookie, then Accept-Language, French by default.
func (s *Server) language(c *gin.Context) {
	lang := ""
	if q := c.Query("lang"); q == "fr" || q == "en" {
		lang = q
		http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	} else if ck, err := c.Cookie(langCookie); err == nil && (ck == "fr" || ck == "en") {
		lang = ck
	} else {
		tags, _, _ := language.ParseAcceptLanguage(c.GetHeader("Accept-Language"))
		tag, _, conf := langMatcher.Match(tags...)
		lang = "fr"
		if conf != language.No {
			if base, _ := tag.Base(); base.String() == "en" {
				lang = "en"
			}
		}
	}
	c.Set("lang", lang)
	c.Next()
}

func langOf(c *gin.Context) string {
	if l := c.GetString("lang"); l != "" {
		return l
	}
	return "fr"
}

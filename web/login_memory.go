package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
)

// The sign-in page remembers, in a plain cookie, the tab and the account
// ID last used in this browser: neither is a secret (the account ID is
// printed in every invitation), and a login account then finds its tab
// and its account ID filled in. The cookie is set when a tab is chosen
// and when a sign-in succeeds.
const loginMemoryMaxAge = 400 * 24 * 60 * 60 // the longest browsers keep

// loginMemoryCookie names the cookie; over https it carries the __Host-
// prefix, like the session's.
func (s *Server) loginMemoryCookie() string {
	if s.secure {
		return "__Host-sesame_login"
	}
	return "sesame_login"
}

// rememberLogin stores tab ("owner" or "member") and the account ID last
// used, when valid.
func (s *Server) rememberLogin(c *gin.Context, tab, accountID string) {
	if tab != "member" {
		tab = "owner"
	}
	value := tab
	if id, ok := account.NormalizeAccountID(accountID); ok {
		value += "." + id
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.loginMemoryCookie(), Value: value, Path: "/", MaxAge: loginMemoryMaxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// rememberedLogin returns the tab and the account ID the cookie holds;
// "" for either that it does not hold or holds malformed.
func (s *Server) rememberedLogin(c *gin.Context) (tab, accountID string) {
	raw, err := c.Cookie(s.loginMemoryCookie())
	if err != nil {
		return "", ""
	}
	tab, id, _ := strings.Cut(raw, ".")
	if tab != "owner" && tab != "member" {
		tab = ""
	}
	if id, ok := account.NormalizeAccountID(id); ok {
		return tab, id
	}
	return tab, ""
}

package productkit

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"
)

// DefaultScopes are requested when WebAuthConfig.Scopes is empty.
var DefaultScopes = []string{"openid", "profile", "email", "offline_access"}

// WebAuthConfig configures a WebAuth.
type WebAuthConfig struct {
	// Issuer is Sésame. Required.
	Issuer *Issuer
	// ClientID and ClientSecret are the product's client at Sésame.
	// Required; the secret may be empty only for a public client.
	ClientID, ClientSecret string
	// RedirectURL is the absolute callback URL registered at Sésame, e.g.
	// "https://domaines.example.cm/callback". Its path is served by Mount;
	// https makes every cookie Secure (and __Host- prefixed).
	RedirectURL string
	// Scopes requested at sign-in. Defaults to DefaultScopes; "openid" is
	// always added.
	Scopes []string
	// CookieSecret seals the cookies (at least MinCookieSecret bytes).
	// Every instance of the product must share it.
	CookieSecret []byte
	// PostLogoutRedirectURL is where Sésame sends the browser back after
	// sign-out; it must be registered exactly at Sésame. Defaults to the
	// origin of RedirectURL followed by SignedOutPath, a page Mount serves.
	PostLogoutRedirectURL string
	// Revocations is the store where the product's Receiver records the
	// sessions Sésame ended and the rights it changed. With it, a session
	// whose Sésame session ended, or whose person was disabled, is signed
	// out at its next request, and a session whose rights changed uses the
	// new rights (renewing its tokens). Optional, but without it a
	// session lives until its next token refresh.
	Revocations RevocationStore
	// LoginPath and LogoutPath default to "/login" and "/logout".
	LoginPath, LogoutPath string
	// AfterLogin is where a sign-in lands when it was not started from a
	// page of the product. Defaults to "/".
	AfterLogin string
	// SessionMaxAge caps a session from its sign-in, refreshes included.
	// Defaults to 12 h. With Revocations, keep it under the store's
	// retention (DefaultRetention, 24 h), so that what ended a session is
	// remembered as long as the session could live.
	SessionMaxAge time.Duration
	// RefreshBefore is how long before the access token expires the
	// middleware renews the tokens. Defaults to 1 min.
	RefreshBefore time.Duration
	// Stylesheet is the URL of a CSS file linked from productkit's pages
	// (sign-in errors, access denied). Optional.
	Stylesheet string
	// Logger receives failures (never a token). Defaults to slog.Default().
	Logger *slog.Logger
}

// WebAuth signs people in through Sésame in the browser: authorization code
// with PKCE (S256), state and nonce, then a session in sealed cookies whose
// tokens it renews with the refresh token shortly before they expire, so
// that the rights it exposes are never older than one access token.
//
// The session is a sealed cookie (AES-256-GCM), split into chunks when the
// tokens do not fit one cookie; no server-side store is involved. It holds
// the Identity, the ID token (for id_token_hint at sign-out), the access
// token, the refresh token and the access token's expiry.
type WebAuth struct {
	issuer *Issuer
	cfg    WebAuthConfig
	log    *slog.Logger
	jar    *cookieJar
	// csrfKey signs the CSRF tokens of the session's forms.
	csrfKey []byte
	idv     *verifier // ID tokens: audience is the client ID
	atv     *verifier // access tokens received at refresh without an ID token

	callbackPath string
	origin       string
	prefix       string // cookie name prefix
	refresh      refresher
}

// NewWebAuth checks cfg and returns a WebAuth. It does not contact Sésame.
func NewWebAuth(cfg WebAuthConfig) (*WebAuth, error) {
	if cfg.Issuer == nil || cfg.ClientID == "" {
		return nil, errors.New("productkit: web auth needs an issuer and a client ID")
	}
	ru, err := url.Parse(cfg.RedirectURL)
	if err != nil || (ru.Scheme != "https" && ru.Scheme != "http") || ru.Host == "" || ru.Path == "" {
		return nil, fmt.Errorf("productkit: redirect URL %q must be an absolute http(s) URL with a path", cfg.RedirectURL)
	}
	secure := ru.Scheme == "https"
	sealer, err := newSealer(cfg.CookieSecret, cfg.Issuer.now)
	if err != nil {
		return nil, err
	}
	origin := ru.Scheme + "://" + ru.Host
	if cfg.PostLogoutRedirectURL == "" {
		cfg.PostLogoutRedirectURL = origin + SignedOutPath
	}
	csrfKey, err := hkdf.Key(sha256.New, cfg.CookieSecret, nil, "productkit csrf v1", 32)
	if err != nil {
		return nil, fmt.Errorf("productkit: derive CSRF key: %w", err)
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = DefaultScopes
	}
	if !slices.Contains(cfg.Scopes, "openid") {
		cfg.Scopes = append([]string{"openid"}, cfg.Scopes...)
	}
	if cfg.LoginPath == "" {
		cfg.LoginPath = "/login"
	}
	if cfg.LogoutPath == "" {
		cfg.LogoutPath = "/logout"
	}
	if cfg.AfterLogin == "" {
		cfg.AfterLogin = "/"
	}
	if cfg.SessionMaxAge <= 0 {
		cfg.SessionMaxAge = 12 * time.Hour
	}
	if cfg.RefreshBefore <= 0 {
		cfg.RefreshBefore = time.Minute
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	// Cookies carry the client ID: browsers keep cookies per host, not per
	// port, so two panels on one host (the demo, or a dev machine) must not
	// overwrite each other's session.
	prefix := "pk_" + cookieSafe(cfg.ClientID)
	if secure {
		prefix = "__Host-" + prefix
	}
	return &WebAuth{
		issuer:       cfg.Issuer,
		cfg:          cfg,
		log:          log,
		jar:          &cookieJar{sealer: sealer, secure: secure},
		csrfKey:      csrfKey,
		idv:          &verifier{issuer: cfg.Issuer, audience: cfg.ClientID},
		atv:          &verifier{issuer: cfg.Issuer, audience: cfg.ClientID},
		callbackPath: ru.Path,
		origin:       origin,
		prefix:       prefix,
		refresh:      refresher{recent: map[string]recentRefresh{}},
	}, nil
}

// Mount registers the sign-in routes on r: GET LoginPath (accepts
// ?next=/local/path and ?prompt=login), GET the callback path, POST
// LogoutPath (the sign-out form, with CSRFToken; GET shows that form),
// and GET the path of PostLogoutRedirectURL when it is on the product's
// origin (a "signed out" page).
func (w *WebAuth) Mount(r gin.IRouter) {
	r.GET(w.cfg.LoginPath, w.login)
	r.GET(w.callbackPath, w.callback)
	r.GET(w.cfg.LogoutPath, w.logoutPage)
	r.POST(w.cfg.LogoutPath, w.logout)
	if u, err := url.Parse(w.cfg.PostLogoutRedirectURL); err == nil && u.Scheme+"://"+u.Host == w.origin && u.Path != "" && u.Path != "/" {
		r.GET(u.Path, w.signedOut)
	}
}

// Session is a middleware that loads the browser session, if any, renews
// its tokens when they are about to expire, and stores the Identity in the
// context (IdentityFrom). It never refuses a request; Require or
// RequireSignIn placed after it answers with pages.
func (w *WebAuth) Session() gin.HandlerFunc {
	return func(c *gin.Context) {
		w.load(c)
		c.Next()
	}
}

// RequireSignIn is Session that also sends a browser that is not signed in
// to LoginPath (GET and HEAD, with ?next= the page asked for) or answers it
// 401 with a page (other methods).
func (w *WebAuth) RequireSignIn() gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, ok := w.load(c); !ok {
			if !c.IsAborted() {
				browserAnswer{w}.unauthorized(c)
			}
			return
		}
		c.Next()
	}
}

// SameOrigin is a middleware refusing (403) state-changing requests (any
// method but GET, HEAD and OPTIONS) sent by another site: their Origin
// must be the product's origin and their Sec-Fetch-Site, when present,
// "same-origin". Combined with the SameSite=Lax session cookie it protects
// the product's forms from cross-site request forgery.
func (w *WebAuth) SameOrigin() gin.HandlerFunc {
	return func(c *gin.Context) {
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			c.Next()
			return
		}
		if w.crossSite(c) {
			w.log.InfoContext(c.Request.Context(), "productkit: cross-site request refused", "origin", c.GetHeader("Origin"),
				"site", c.GetHeader("Sec-Fetch-Site"), "path", c.Request.URL.Path)
			w.page(c, http.StatusForbidden, pageView{TitleKey: "forbidden_title", BodyKey: "origin_refused", Home: true})
			return
		}
		c.Next()
	}
}

// Token returns the access token of the request's session, to call an API
// on the signed-in person's behalf. It needs Session or RequireSignIn
// before it.
func (w *WebAuth) Token(c *gin.Context) (*oauth2.Token, bool) {
	s, ok := w.load(c)
	if !ok || s.AccessToken == "" {
		return nil, false
	}
	return &oauth2.Token{AccessToken: s.AccessToken, TokenType: "Bearer", Expiry: time.Unix(s.Expiry, 0)}, true
}

// LoginURL returns the path that starts a sign-in and comes back to next
// (a local path).
func (w *WebAuth) LoginURL(next string) string {
	if next = safeNext(next); next == "" {
		return w.cfg.LoginPath
	}
	return w.cfg.LoginPath + "?next=" + url.QueryEscape(next)
}

// LogoutPath returns the sign-out path: a form posting to it, with
// CSRFToken in the field CSRFField, signs out.
func (w *WebAuth) LogoutPath() string { return w.cfg.LogoutPath }

// safeNext returns p when it is a local path, "" otherwise: no scheme, no
// host, no "//" or "/\" start that browsers read as another host.
func safeNext(p string) string {
	if p == "" || len(p) > 1024 || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\r\n\t\\") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return p
}

// cookieSafe keeps the characters of s allowed in a cookie name.
func cookieSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

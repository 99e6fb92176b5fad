package panel

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/productkit"
)

// Config configures one panel. Product, PublicURL, Issuer, ClientID
// and ClientSecret are required.
type Config struct {
	// Product is "domain", "server" or "email".
	Product string
	// PublicURL is the panel's address as browsers see it, e.g.
	// "http://localhost:8081". The client must be registered at Sésame with
	// the redirect URI PublicURL + "/callback".
	PublicURL string
	// Issuer is Sésame's issuer URL, e.g. "http://localhost:8080".
	Issuer string
	// ClientID and ClientSecret are the panel's confidential client, with the
	// grants authorization_code, refresh_token and client_credentials and the
	// scopes openid profile email offline_access sesame:authz.
	ClientID, ClientSecret string
	// Audience is what the "aud" of a bearer token must contain on /api.
	// Defaults to ClientID.
	Audience string
	// CookieSecret seals the session cookies (≥ 32 bytes). Defaults to a
	// random secret: sessions then end when the program stops.
	CookieSecret []byte
	// CheckCacheTTL is how long live decisions of the check API are reused
	// (never past a rights change Sésame pushed). Defaults to 5 s; negative
	// disables the cache.
	CheckCacheTTL time.Duration
	// Revocations records the sessions Sésame ended and the rights it
	// changed, pushed to /backchannel-logout and /events. Every instance of
	// one panel must share it. Defaults to a PostgreSQL store when
	// DatabaseURL is set, to one in memory otherwise.
	Revocations productkit.RevocationStore
	// DatabaseURL is a PostgreSQL URL (postgres://…) where the panel keeps
	// its revocation store, in the table <product>_panel_revocations it
	// creates. Optional.
	DatabaseURL string
	// HTTPClient talks to Sésame. Defaults to a client with a 10 s timeout.
	HTTPClient *http.Client
	// Now gives the time (tests). Defaults to time.Now.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// panel is one hosting panel: its product, its fake resources and the
// productkit pieces that sign people in and enforce their rights.
type panel struct {
	cfg     Config
	product *product
	store   *store
	wa      *productkit.WebAuth
	guard   *productkit.Guard
	checker *productkit.Checker
	// receiver takes the logout and claims-change tokens Sésame pushes.
	receiver *productkit.Receiver
	pages    *pages
	log      *slog.Logger
}

// New builds the panel's HTTP handler. It does not contact Sésame:
// discovery happens at the first sign-in or API call. Routes:
//
//	GET  /                     home (sign-in link, or who is signed in and what they may do)
//	GET  /login, /callback     sign-in through Sésame
//	POST /logout               sign-out (form with a CSRF token), there too; GET /logout shows the form
//	GET  /signed-out           where Sésame sends the browser back after sign-out
//	POST /backchannel-logout   logout tokens from Sésame (Back-Channel Logout 1.0)
//	POST /events               security event tokens from Sésame (CAEP token-claims-change)
//	GET  /healthz              "ok"
//	GET  /static/panel.css
//	product pages under /domains, /servers or /mailboxes, and the JSON API under /api
//	(GET /api/me and the product's routes; bearer access token required).
func New(cfg Config) (http.Handler, error) {
	prod, ok := products[cfg.Product]
	if !ok {
		return nil, fmt.Errorf("demo: unknown product %q (domain, server or email)", cfg.Product)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pub, err := url.Parse(cfg.PublicURL)
	if err != nil || (pub.Scheme != "http" && pub.Scheme != "https") || pub.Host == "" || (pub.Path != "" && pub.Path != "/") {
		return nil, fmt.Errorf("demo: public URL %q must be an absolute http(s) URL without a path", cfg.PublicURL)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("demo: a client ID and a client secret are required")
	}
	if cfg.Audience == "" {
		cfg.Audience = cfg.ClientID
	}
	if len(cfg.CookieSecret) == 0 {
		cfg.CookieSecret = make([]byte, 32)
		rand.Read(cfg.CookieSecret)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	base := pub.Scheme + "://" + pub.Host

	issuer, err := productkit.NewIssuer(productkit.IssuerConfig{URL: cfg.Issuer, HTTPClient: cfg.HTTPClient, Now: cfg.Now})
	if err != nil {
		return nil, err
	}
	revs, err := revocations(cfg)
	if err != nil {
		return nil, err
	}
	wa, err := productkit.NewWebAuth(productkit.WebAuthConfig{
		Issuer: issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: base + "/callback", CookieSecret: cfg.CookieSecret,
		Stylesheet: "/static/panel.css", Logger: cfg.Logger, Revocations: revs,
	})
	if err != nil {
		return nil, err
	}
	guard, err := productkit.NewGuard(productkit.GuardConfig{Issuer: issuer, Audience: cfg.Audience, Logger: cfg.Logger, Revocations: revs})
	if err != nil {
		return nil, err
	}
	checker, err := productkit.NewChecker(productkit.CheckerConfig{
		Issuer: issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, CacheTTL: cfg.CheckCacheTTL, Revocations: revs,
	})
	if err != nil {
		return nil, err
	}
	receiver, err := productkit.NewReceiver(productkit.ReceiverConfig{Issuer: issuer, ClientID: cfg.ClientID, Store: revs, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	pg, err := loadPages()
	if err != nil {
		return nil, err
	}
	p := &panel{cfg: cfg, product: prod, store: newStore(), wa: wa, guard: guard, checker: checker, receiver: receiver, pages: pg, log: cfg.Logger}
	return p.routes(issuer.URL()), nil
}

func (p *panel) routes(issuerURL string) http.Handler {
	r := gin.New()
	r.Use(gin.Recovery(), securityHeaders(issuerURL))
	r.HandleMethodNotAllowed = true
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/static/panel.css", serveCSS)
	p.wa.Mount(r)
	p.receiver.Mount(r) // server to server: outside sign-in and same-origin checks
	r.GET("/", p.wa.Session(), p.home)

	web := r.Group("/", p.wa.RequireSignIn(), p.wa.SameOrigin())
	api := r.Group("/api", p.guard.Middleware())
	api.GET("/me", apiMe)
	p.product.mount(p, web, api)

	r.NoRoute(p.wa.Session(), func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			c.JSON(http.StatusNotFound, productkit.ErrorBody{Error: "not_found", Message: tr(productkit.Lang(c), "err_not_found")})
			return
		}
		p.notFound(c)
	})
	return r
}

// securityHeaders sets a strict content security policy: no script at
// all, styles from the panel only, forms posting to the panel or to Sésame
// (sign-out continues there).
func securityHeaders(issuerURL string) gin.HandlerFunc {
	u, _ := url.Parse(issuerURL)
	issuerOrigin := u.Scheme + "://" + u.Host
	csp := "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' " + issuerOrigin +
		"; frame-ancestors 'none'; base-uri 'none'"
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}

// apiMe returns who the bearer token speaks for.
func apiMe(c *gin.Context) {
	at, _ := productkit.AccessTokenFrom(c)
	c.JSON(http.StatusOK, gin.H{
		"sub": at.Sub, "account_id": at.AccountID, "email": at.Email, "name": at.Name,
		"rights": at.Rights, "client_id": at.ClientID, "scopes": at.Scopes,
	})
}

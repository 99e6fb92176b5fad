package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/metrics"
	"github.com/sesame-idp/sesame/oauth"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/secret"
)

// Deps are what the web layer is built from; cmd fills them.
type Deps struct {
	Issuer string
	// Ready reports whether the storage answers (GET /readyz).
	Ready    func(context.Context) error
	Audit    *audit.Log
	Secrets  *secret.Ring
	Accounts *account.Service
	OAuth    *oauth.Provider
	Members  *members.Service
	Rights   *rbac.Service
	Outbox   *mail.Outbox
	Events   *events.Service
	Logger   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Zone is the display time zone of dates on pages; nil means
	// i18n.DefaultZone.
	Zone *time.Location
	// TrustedProxies are the networks whose X-Forwarded-For is believed
	// (SESAME_TRUSTED_PROXIES, see ParseTrustedProxies); empty: the client
	// is the TCP peer.
	TrustedProxies []netip.Prefix
	// RequestTimeout bounds every request; zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Metrics receives the request, sign-in and check counts; nil: none.
	Metrics *metrics.Metrics
}

// Server holds the dependencies of every handler.
type Server struct {
	Deps
	pages   *pages
	catalog *i18n.Catalog
	secure  bool // the issuer is https: Secure cookies, HSTS
	router  *gin.Engine
}

// New builds the router. It fails when a page template is missing or
// broken, so that a bad build never starts.
func New(d Deps) (*Server, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Zone == nil {
		zone, err := i18n.LoadZone("")
		if err != nil {
			return nil, err
		}
		d.Zone = zone
	}
	if d.RequestTimeout <= 0 {
		d.RequestTimeout = DefaultRequestTimeout
	}
	pg, err := loadPages()
	if err != nil {
		return nil, err
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	iss, err := url.Parse(d.Issuer)
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, pages: pg, catalog: cat, secure: iss.Scheme == "https"}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// gin believes no header: clientAddress has set RemoteAddr to the
	// client's address, which c.ClientIP() then returns.
	r.ForwardedByClientIP = false
	r.RemoteIPHeaders = nil
	if err := r.SetTrustedProxies(nil); err != nil {
		return nil, err
	}
	r.Use(s.traceRequest, s.measure, s.recoverer, s.clientAddress, s.logRequests, s.securityHeaders, s.language, s.deadline, s.limitBody, s.checkInput)
	r.NoRoute(s.noRoute(http.StatusNotFound, "error_not_found", "api_no_route"))
	r.NoMethod(s.noRoute(http.StatusMethodNotAllowed, "error_method", "api_method"))

	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	r.GET("/readyz", s.ready)
	r.StaticFileFS("/static/sesame.css", "static/sesame.css", staticFS())
	r.StaticFileFS("/static/sesame.js", "static/sesame.js", staticFS())
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/login") })

	// Endpoints called by clients, not browsers: no CSRF, no cookies.
	d.OAuth.Mount(r.Group("/", s.clientParamsOnce))
	s.mountAuthzAPI(r)
	// A POSTed authorization request (OIDC Core §3.1.2.1) is turned into
	// the GET one: it changes nothing by itself, so no CSRF token.
	r.POST(oauth.PathAuthorize, s.page(s.authorizePost))
	r.GET("/api/openapi.json", s.openAPI)

	// Pages and cookie-authenticated calls.
	browser := r.Group("/", s.csrf())
	browser.GET("/login", s.page(s.loginPage))
	browser.POST("/login", s.page(s.loginSubmit))
	browser.GET(oauth.PathAuthorize, s.authorizeParamsOnce, s.page(s.authorize))
	browser.GET(pathResume, s.page(s.resume))
	browser.POST(pathConsent, s.page(s.consentSubmit))
	browser.GET(oauth.PathLogout, s.page(s.logoutPage))
	browser.POST(oauth.PathLogout, s.page(s.logoutSubmit))
	browser.GET("/logout", s.page(s.logoutPage))
	browser.POST("/logout", s.page(s.logoutSubmit))
	browser.GET("/account", s.page(s.accountHome))
	browser.GET("/account/password", s.page(s.passwordPage))
	browser.POST("/account/password", s.page(s.passwordSubmit))
	s.mountSecurity(browser)
	s.mountOwnSessions(browser)
	s.mountConsents(browser)
	s.mountMFAPolicy(browser)
	s.mountConsoleSessions(browser)
	s.mountInvitation(browser)
	s.mountReset(browser)
	s.mountConsole(browser)
	s.mountMembersAPI(browser)
	s.mountAdmin(browser)

	s.router = r
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err != nil {
		s.Logger.WarnContext(ctx, "readiness: database unreachable", "err", err)
		c.String(http.StatusServiceUnavailable, "database unreachable\n")
		return
	}
	c.String(http.StatusOK, "ok\n")
}

func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.Logger.ErrorContext(c.Request.Context(), "panic", "path", logPath(c.Request.URL.Path), "panic", v)
			s.fail(c, newError(http.StatusInternalServerError, "server_error", "error_internal"))
		}
	}()
	c.Next()
}

// logRequests logs one line a request: method, path (without the link
// tokens of invitation and reset links; no query string: it may hold codes
// or tokens), status and duration.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	path := c.Request.URL.Path
	if strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/readyz" {
		return
	}
	s.Logger.Log(c.Request.Context(), level, "http",
		"method", c.Request.Method, "path", logPath(path), "status", status,
		"dur_ms", float64(time.Since(start).Microseconds())/1000, "ip", c.ClientIP())
}

// securityHeaders sets a strict CSP (no inline script or style, nothing
// from elsewhere), forbids framing, and turns on HSTS for an https issuer.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		// form-action reaches clients' redirect URIs: browsers apply it to
		// the redirects that follow a form (sign-in → resume → client).
		"form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: with no-referrer browsers send
	// "Origin: null" on same-origin form posts, which the CSRF check
	// rightly refuses. Nothing is loaded from elsewhere, so no URL (an
	// invitation token, a ticket) leaves for another site either way.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	c.Next()
}

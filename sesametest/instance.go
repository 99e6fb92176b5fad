package sesametest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/app"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/internal/testcrypto"
	"github.com/sesame-idp/sesame/mail/mailtest"
)

// Secrets are the instance secrets of test instances (never used outside tests).
const Secrets = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

// Options choose the database of an instance.
type Options struct {
	// Postgres runs on a fresh PostgreSQL database (skipping when none is
	// configured); otherwise a fresh SQLite file.
	Postgres bool
	// DatabaseURL, when set, shares an existing database: a second
	// instance of a multi-instance test.
	DatabaseURL string
	// Now overrides the clock.
	Now func() time.Time
	// Issuer overrides the issuer URL (e.g. an https one, to test what
	// changes behind a TLS proxy); by default it is the test server's URL.
	Issuer string
	// LogTo receives the instance's logs (JSON lines) besides the usual
	// destination.
	LogTo io.Writer
	// TrustedProxies is SESAME_TRUSTED_PROXIES.
	TrustedProxies string
	// RequestTimeout bounds every request (default: Sésame's).
	RequestTimeout time.Duration
	// MetricsAddr is SESAME_METRICS_ADDR, e.g. 127.0.0.1:0 (see
	// App.MetricsAddr for the port taken).
	MetricsAddr string
	// KeyRotation is SESAME_KEY_ROTATION.
	KeyRotation time.Duration
	// Addr is the address to listen at, e.g. that of a stopped instance
	// to start it again (same URL and issuer); default a free port.
	Addr string
	// Localhost names the instance http://localhost:PORT rather than
	// http://127.0.0.1:PORT (its URL and issuer): WebAuthn needs a domain
	// name, so passkeys work only there.
	Localhost bool
}

// Instance is a running Sésame with its SMTP server.
type Instance struct {
	*app.App
	URL         string // where the test server listens, e.g. http://127.0.0.1:41234 (the issuer unless Options.Issuer)
	DatabaseURL string
	HTTP        *httptest.Server
	Mail        *mailtest.Server

	stopWorkers func()
	stop        func()
}

// Start runs a Sésame for the test and stops it at the end.
func Start(t testing.TB, o Options) *Instance {
	t.Helper()
	dbURL := o.DatabaseURL
	switch {
	case dbURL != "":
	case o.Postgres:
		_, dbURL = dbtest.PostgresURL(t)
	default:
		dbURL = "sqlite:" + filepath.Join(t.TempDir(), "sesame.db")
	}
	srv := httptest.NewUnstartedServer(nil)
	if o.Addr != "" {
		ln, err := net.Listen("tcp", o.Addr)
		if err != nil {
			t.Fatalf("listen at %s: %v", o.Addr, err)
		}
		srv.Listener.Close()
		srv.Listener = ln
	}
	issuer := "http://" + srv.Listener.Addr().String()
	if o.Localhost {
		issuer = fmt.Sprintf("http://localhost:%d", srv.Listener.Addr().(*net.TCPAddr).Port)
	}
	if o.Issuer != "" {
		issuer = o.Issuer
	}
	smtp := mailtest.NewServer(t)
	var logOut io.Writer = io.Discard
	if os.Getenv("SESAME_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	if o.LogTo != nil {
		logOut = io.MultiWriter(logOut, o.LogTo)
	}
	a, err := app.Open(context.Background(), app.Config{
		Addr:        srv.Listener.Addr().String(),
		Issuer:      issuer,
		DatabaseURL: dbURL,
		SMTPURL:     smtp.URL(),
		MailFrom:    "Sésame <no-reply@sesame.test>",
		Secrets:     Secrets,
		Logger:      slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:         o.Now,
		// Cheap argon2id and pooled signing keys: the same code paths as
		// production at a fraction of the CPU.
		PasswordHasher:      testcrypto.NewHasher(),
		SigningKeyGenerator: testcrypto.NewKeys().Generate,

		TrustedProxies: o.TrustedProxies,
		RequestTimeout: o.RequestTimeout,
		MetricsAddr:    o.MetricsAddr,
		KeyRotation:    o.KeyRotation,
	})
	if err != nil {
		srv.Close()
		t.Fatalf("start Sésame: %v", err)
	}
	// Every API response is checked against the OpenAPI description.
	srv.Config.Handler = checkAPI(t, a.Handler())
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	stopWorkers := sync.OnceFunc(func() { cancel(); <-done })
	stop := sync.OnceFunc(func() {
		stopWorkers()
		srv.CloseClientConnections()
		srv.Close()
		a.Close()
	})
	t.Cleanup(stop)
	url := srv.URL
	if o.Localhost {
		url = issuer
	}
	return &Instance{App: a, URL: url, DatabaseURL: dbURL, HTTP: srv, Mail: smtp, stopWorkers: stopWorkers, stop: stop}
}

// StopWorkers stops the instance's background workers (deliveries to
// products, mail, scans), letting the attempts in progress finish, and
// leaves it serving requests: what it commits from then on waits in the
// database, as when a Sésame stops right after a commit.
func (s *Instance) StopWorkers() { s.stopWorkers() }

// Stop stops the instance: its workers, its HTTP server, its database
// connections. Start with Options.Addr set to Addr() starts it again at
// the same URL. Stopping twice does nothing.
func (s *Instance) Stop() { s.stop() }

// Addr is the host:port the instance listens at.
func (s *Instance) Addr() string { return s.HTTP.Listener.Addr().String() }

// Each runs fn against a Sésame on SQLite and one on PostgreSQL.
func Each(t *testing.T, fn func(t *testing.T, s *Instance)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Start(t, Options{})) })
	t.Run("postgres", func(t *testing.T) { fn(t, Start(t, Options{Postgres: true})) })
}

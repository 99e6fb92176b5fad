package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/cmd/demo-product/panel"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "demo-product:", err)
		os.Exit(1)
	}
}

// env returns the environment variable name, or def when it is unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// run parses the flags (each falls back to a DEMO_* variable), builds the
// panel and serves it until SIGINT or SIGTERM.
func run(args []string) error {
	fs := flag.NewFlagSet("demo-product", flag.ContinueOnError)
	product := fs.String("product", env("DEMO_PRODUCT", "domain"), "panel to serve: domain, server or email (DEMO_PRODUCT)")
	addr := fs.String("addr", env("DEMO_ADDR", "localhost:8081"), "listen address (DEMO_ADDR)")
	issuer := fs.String("issuer", env("DEMO_ISSUER", "http://localhost:8080"), "Sésame's issuer URL (DEMO_ISSUER)")
	clientID := fs.String("client-id", env("DEMO_CLIENT_ID", ""), "client ID at Sésame; default <product>-panel (DEMO_CLIENT_ID)")
	clientSecret := fs.String("client-secret", env("DEMO_CLIENT_SECRET", ""), "client secret (DEMO_CLIENT_SECRET)")
	secretFile := fs.String("client-secret-file", env("DEMO_CLIENT_SECRET_FILE", ""), "file holding the client secret, read when --client-secret is empty (DEMO_CLIENT_SECRET_FILE)")
	publicURL := fs.String("public-url", env("DEMO_PUBLIC_URL", ""), "URL browsers use; default http://<addr> (DEMO_PUBLIC_URL)")
	audience := fs.String("audience", env("DEMO_AUDIENCE", ""), "audience required of API bearer tokens; default the client ID (DEMO_AUDIENCE)")
	cookieSecret := fs.String("cookie-secret", env("DEMO_COOKIE_SECRET", ""), "secret sealing session cookies, ≥ 32 bytes; default random (DEMO_COOKIE_SECRET)")
	checkTTL := fs.Duration("check-cache", 5*time.Second, "how long live check decisions are reused; negative: never")
	databaseURL := fs.String("database-url", env("DEMO_DATABASE_URL", ""), "PostgreSQL URL of the revocation store shared by the panel's instances; default in memory (DEMO_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *clientID == "" {
		*clientID = *product + "-panel"
	}
	if *clientSecret == "" && *secretFile != "" {
		b, err := os.ReadFile(*secretFile)
		if err != nil {
			return err
		}
		*clientSecret = strings.TrimSpace(string(b))
	}
	if *publicURL == "" {
		*publicURL = "http://" + *addr
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	gin.SetMode(gin.ReleaseMode)
	h, err := panel.New(panel.Config{
		Product: *product, PublicURL: *publicURL, Issuer: *issuer,
		ClientID: *clientID, ClientSecret: *clientSecret, Audience: *audience,
		CookieSecret: []byte(*cookieSecret), CheckCacheTTL: *checkTTL, DatabaseURL: *databaseURL, Logger: log,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              *addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("demo-product: serving", "product", *product, "addr", *addr, "public_url", *publicURL, "issuer", *issuer, "client_id", *clientID)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

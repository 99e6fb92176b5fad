package main

import (
	"flag"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/app"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/oauth"
)

// config is app.Config read from the environment; flags of the same
// meaning override it.
type config = app.Config

func loadConfig() config {
	c := config{
		Addr:        env("SESAME_ADDR", "localhost:8080"),
		DatabaseURL: env("SESAME_DATABASE_URL", db.DefaultURL),
		SMTPURL:     os.Getenv("SESAME_SMTP_URL"),
		MailFrom:    env("SESAME_MAIL_FROM", "Sésame <no-reply@localhost>"),
		Secrets:     os.Getenv("SESAME_SECRETS"),
		// Checked by app.Open, which refuses an invalid CIDR.
		TrustedProxies: os.Getenv("SESAME_TRUSTED_PROXIES"),
		// Empty: app derives it from Addr once the flags are parsed, so
		// that --addr moves the issuer too.
		Issuer:   os.Getenv("SESAME_ISSUER"),
		Timezone: env("SESAME_TIMEZONE", i18n.DefaultZone),
	}
	if v := os.Getenv("SESAME_KEY_ROTATION"); v != "" {
		d, err := oauth.ParseRotation(v)
		if err != nil {
			d = -1 // app.Open refuses it with a clear message
		}
		c.KeyRotation = d
	}
	c.Brand.Name, c.Brand.LogoURL = os.Getenv("SESAME_PRODUCT_NAME"), os.Getenv("SESAME_LOGO_URL")
	if v := os.Getenv("SESAME_INVITATION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			d = -1 // app.Open refuses it with a clear message
		}
		c.InvitationTTL = d
	}
	if v := os.Getenv("SESAME_SESSION_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			d = -1 // app.Open refuses it with a clear message
		}
		c.SessionIdle = d
	}
	return c
}

// bindFlags adds the configuration flags to fs, defaulting to c's values.
func bindFlags(c *config, fs *flag.FlagSet, server bool) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "database: sqlite:PATH or postgres://… (SESAME_DATABASE_URL)")
	if server {
		fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (SESAME_ADDR)")
		fs.StringVar(&c.Issuer, "issuer", c.Issuer, "issuer URL, as browsers and clients reach Sésame (SESAME_ISSUER)")
		fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "smtp://[user:pass@]host:port[?tls=starttls|tls|none]; empty: mail goes to the log (SESAME_SMTP_URL)")
		fs.StringVar(&c.MailFrom, "mail-from", c.MailFrom, "sender of outgoing mail (SESAME_MAIL_FROM)")
		fs.StringVar(&c.Timezone, "timezone", c.Timezone, "IANA time zone of the dates on pages, e.g. Africa/Douala or UTC (SESAME_TIMEZONE)")
		fs.StringVar(&c.MetricsAddr, "metrics-addr", os.Getenv("SESAME_METRICS_ADDR"), "address of GET /metrics, apart from the public one, e.g. 127.0.0.1:9464; empty: no metrics (SESAME_METRICS_ADDR)")
		fs.StringVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies, "comma-separated CIDRs of the proxies whose X-Forwarded-For is believed; empty: none (SESAME_TRUSTED_PROXIES)")
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// newLogger logs to f: JSON when f is not a terminal (a log collector
// reads it), text for a person at a terminal. serve logs to stdout; the
// other commands log to stderr, keeping stdout for their --json output.
func newLogger(f *os.File) *slog.Logger {
	var h slog.Handler
	if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		h = slog.NewTextHandler(f, nil)
	} else {
		h = slog.NewJSONHandler(f, nil)
	}
	return slog.New(h)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

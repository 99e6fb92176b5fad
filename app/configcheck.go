package app

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/mail"
)

// Problem is one finding of Config.Check.
type Problem struct {
	Level   string `json:"level"`   // "error": Sésame would fail or be unsafe; "warning": worth a look
	Setting string `json:"setting"` // the environment variable concerned
	Message string `json:"message"`
}

// Levels of a Problem.
const (
	LevelError   = "error"
	LevelWarning = "warning"
)

// Check finds what is wrong or risky in c without opening anything: what
// Open would refuse, an http issuer outside localhost, no SMTP server in
// production, SQLite where several instances are expected, metrics
// reachable from everywhere. It does not change c.
func (c Config) Check() []Problem {
	var out []Problem
	add := func(level, setting, msg string) { out = append(out, Problem{level, setting, msg}) }
	if err := c.validate(); err != nil {
		add(LevelError, "", err.Error())
	}
	production := false
	if u, err := url.Parse(c.Issuer); err == nil && u.Host != "" {
		production = !isLocalHost(u.Hostname())
		if production && u.Scheme != "https" {
			add(LevelError, "SESAME_ISSUER", "the issuer "+c.Issuer+" is http on a public name: browsers and clients must reach Sésame over https (terminate TLS in front and set SESAME_ISSUER to the https URL)")
		}
	}
	switch {
	case c.SMTPURL == "" && production:
		add(LevelError, "SESAME_SMTP_URL", "no SMTP server: invitations and reset links are only written to the log")
	case c.SMTPURL == "":
		add(LevelWarning, "SESAME_SMTP_URL", "no SMTP server: mail is written to the log (fine on a developer's machine)")
	default:
		if _, err := mail.NewSMTPSender(c.SMTPURL, c.MailFrom); err != nil {
			add(LevelError, "SESAME_SMTP_URL", err.Error())
		} else if u, err := url.Parse(c.SMTPURL); err == nil && u.Query().Get("tls") == "none" && !isLocalHost(u.Hostname()) {
			add(LevelWarning, "SESAME_SMTP_URL", "tls=none to a remote SMTP server: mail, links included, crosses the network in clear")
		}
	}
	switch {
	case strings.HasPrefix(c.DatabaseURL, "sqlite:") || c.DatabaseURL == "":
		add(LevelWarning, "SESAME_DATABASE_URL", "SQLite serves one instance only: run several instances on one PostgreSQL")
	case strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		if u, err := url.Parse(c.DatabaseURL); err == nil {
			// db.Open fills in sslmode=disable when the URL has none.
			if mode := u.Query().Get("sslmode"); (mode == "" || mode == "disable") && !isLocalHost(u.Hostname()) {
				add(LevelWarning, "SESAME_DATABASE_URL", "no TLS to a remote PostgreSQL (sslmode absent or disable): set sslmode=verify-full")
			}
		}
	default:
		add(LevelError, "SESAME_DATABASE_URL", "neither sqlite:PATH nor postgres://…")
	}
	if c.Secrets == "" && production {
		add(LevelWarning, "SESAME_SECRETS", "unset: the instance secret is generated and kept in the database, so a copy of the database holds it; pass it from a secret store")
	}
	if c.MetricsAddr != "" {
		if host, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			add(LevelError, "SESAME_METRICS_ADDR", "not host:port: "+err.Error())
		} else if host == "" || host == "0.0.0.0" || host == "::" {
			add(LevelWarning, "SESAME_METRICS_ADDR", "metrics listen on every interface: keep them on a private network")
		}
		if c.MetricsAddr == c.Addr {
			add(LevelError, "SESAME_METRICS_ADDR", "the same address as SESAME_ADDR: metrics must not be public")
		}
	}
	if production && c.TrustedProxies == "" {
		add(LevelWarning, "SESAME_TRUSTED_PROXIES", "unset: behind a proxy every client has the proxy's address, and sign-in throttling per address counts them together")
	}
	return out
}

// Redacted is c as an operator may see it: passwords in URLs and the
// instance secrets hidden, defaults filled in.
func (c Config) Redacted() map[string]string {
	_ = c.validate() // fills in the issuer
	secrets := "(unset: generated and stored in the database)"
	if c.Secrets != "" {
		secrets = "(set: " + strconv.Itoa(len(strings.Split(c.Secrets, ","))) + " secrets, hidden)"
	}
	smtp := c.SMTPURL
	if smtp == "" {
		smtp = "(unset: mail is written to the log)"
	}
	ttl := c.InvitationTTL.String()
	if c.InvitationTTL == 0 {
		ttl = "72h (default)"
	}
	idle := c.SessionIdle.String()
	if c.SessionIdle == 0 {
		idle = "2h (default)"
	}
	rotation := "(unset: keys rotate only by hand)"
	if c.KeyRotation > 0 {
		rotation = c.KeyRotation.String()
	}
	metrics := c.MetricsAddr
	if metrics == "" {
		metrics = "(unset: no metrics listener)"
	}
	return map[string]string{
		"SESAME_ADDR":            c.Addr,
		"SESAME_ISSUER":          c.Issuer,
		"SESAME_DATABASE_URL":    db.Redact(c.DatabaseURL),
		"SESAME_SMTP_URL":        db.Redact(smtp),
		"SESAME_MAIL_FROM":       c.MailFrom,
		"SESAME_SECRETS":         secrets,
		"SESAME_TRUSTED_PROXIES": c.TrustedProxies,
		"SESAME_TIMEZONE":        c.Timezone,
		"SESAME_METRICS_ADDR":    metrics,
		"SESAME_INVITATION_TTL":  ttl,
		"SESAME_SESSION_IDLE":    idle,
		"SESAME_KEY_ROTATION":    rotation,
	}
}

func isLocalHost(h string) bool {
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

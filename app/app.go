package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/metrics"
	"github.com/sesame-idp/sesame/oauth"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/secret"
	"github.com/sesame-idp/sesame/web"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Config is Sésame's configuration (DESIGN.md §3, "Running").
type Config struct {
	Addr        string // SESAME_ADDR
	Issuer      string // SESAME_ISSUER; empty: http:// and Addr
	DatabaseURL string // SESAME_DATABASE_URL
	SMTPURL     string // SESAME_SMTP_URL; empty: mail is written to the log
	MailFrom    string // SESAME_MAIL_FROM
	Secrets     string // SESAME_SECRETS; empty: generated and stored on first run
	NoMigrate   bool   // do not apply pending migrations at start
	// TrustedProxies are the comma-separated CIDRs whose X-Forwarded-For is
	// believed (SESAME_TRUSTED_PROXIES); empty: the client is the TCP peer.
	TrustedProxies string
	// RequestTimeout bounds every HTTP request; zero means
	// web.DefaultRequestTimeout (15 s).
	RequestTimeout time.Duration
	// InvitationTTL is how long invitation links live (SESAME_INVITATION_TTL; default 72h).
	InvitationTTL time.Duration
	// SessionIdle ends a browser session unused for longer
	// (SESAME_SESSION_IDLE; default 2h).
	SessionIdle time.Duration
	// Timezone is the IANA name of the time zone pages show dates in
	// (SESAME_TIMEZONE); empty means i18n.DefaultZone (Africa/Douala).
	Timezone string
	// MetricsAddr is where GET /metrics is served (SESAME_METRICS_ADDR),
	// apart from the public address; empty: no metrics listener.
	MetricsAddr string
	// KeyRotation is the age at which signing keys are rotated
	// (SESAME_KEY_ROTATION, e.g. 30d); zero: only by hand (keys rotate).
	KeyRotation time.Duration
	// Brand is the product name and logo of the messages
	// (SESAME_PRODUCT_NAME, SESAME_LOGO_URL); zero: Sésame, no logo.
	Brand mail.Brand

	Logger *slog.Logger
	// Now is the clock of every service; nil means time.Now.
	Now func() time.Time

	// PasswordHasher and SigningKeyGenerator stand in for costly
	// primitives; nil means the production ones: argon2id at m=19 MiB,
	// t=2, p=1 (account.NewPasswordHasher) and keys from crypto/rand
	// (oauth.GenerateKey). No setting maps to them: only tests set them
	// (see sesametest), to save the CPU these cost.
	PasswordHasher      *account.PasswordHasher
	SigningKeyGenerator oauth.KeyGenerator
}

// validate checks the settings that would otherwise fail late or oddly.
func (c *Config) validate() error {
	if c.Issuer == "" {
		c.Issuer = "http://" + c.Addr
	}
	c.Issuer = strings.TrimRight(c.Issuer, "/")
	u, err := url.Parse(c.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("app: the issuer (SESAME_ISSUER) must be an absolute http(s) URL without query, not %q", c.Issuer)
	}
	if _, err := i18n.LoadZone(c.Timezone); err != nil {
		return fmt.Errorf("app: the display time zone (SESAME_TIMEZONE): %w", err)
	}
	if _, err := web.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("app: SESAME_TRUSTED_PROXIES: %w", err)
	}
	if err := c.validateRotation(); err != nil {
		return err
	}
	if err := mail.CheckBrand(c.Brand); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	if c.InvitationTTL < 0 {
		return errors.New("app: the invitation lifetime (SESAME_INVITATION_TTL) must be a positive duration such as 72h")
	}
	if c.SessionIdle < 0 {
		return errors.New("app: the session idle timeout (SESAME_SESSION_IDLE) must be a positive duration such as 2h")
	}
	return nil
}

// App is a running Sésame: its database and services.
type App struct {
	Config   Config
	DB       *db.DB
	Secrets  *secret.Ring
	Accounts *account.Service
	Rights   *rbac.Service
	OAuth    *oauth.Provider
	Clients  *sqlstore.Store
	Outbox   *mail.Outbox
	Members  *members.Service
	Events   *events.Service
	Web      *web.Server
	// Metrics is this instance's registry (never the global one).
	Metrics *metrics.Metrics
	log     *slog.Logger

	metricsListener net.Listener
	traces          *sdktrace.TracerProvider // nil unless OTEL_* asks for traces
}

// KeyReloadInterval is how often every instance reloads the signing keys
// from the database: a rotated key must not sign before every instance
// publishes it, so keys rotate refuses a shorter activation delay.
const KeyReloadInterval = 15 * time.Second

// KeyPublishTime is how long a retired signing key stays in the JWKS: longer
// than any token it signed lives (access 15 min, ID 1 h).
const KeyPublishTime = 24 * time.Hour

// Open opens the database (migrating it unless NoMigrate) and builds every
// service. Close releases it.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: d, log: log, Metrics: metrics.New()}
	if err := a.setupTracing(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("app: tracing (OTEL_*): %w", err)
	}
	if err := a.build(ctx); err != nil {
		a.stopTracing()
		d.Close()
		return nil, err
	}
	if err := a.listenMetrics(); err != nil {
		a.stopTracing()
		d.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context) error {
	cfg, d, log := a.Config, a.DB, a.log
	if !cfg.NoMigrate {
		n, err := d.Migrate(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Info("migrations applied", "count", n, "database", db.Redact(cfg.DatabaseURL))
		}
	}
	ring, err := loadSecrets(ctx, cfg.Secrets, d, log)
	if err != nil {
		return err
	}
	a.Secrets = ring

	a.Rights, err = rbac.New(d, rbac.Options{Now: cfg.Now, Logger: log, Active: a.memberActive, RightsChanged: a.rulesChanged})
	if err != nil {
		return err
	}
	a.Clients = sqlstore.New(d)
	a.Accounts = account.NewService(d, account.Options{
		Now:            cfg.Now,
		Hasher:         cfg.PasswordHasher,
		OnOwnerCreated: a.Rights.SetOwner,
		OnMemberStatus: a.Rights.MemberStatusChanged,
		Tokens:         a.Clients,
		Sessions:       sessionEvents{a},
		Notifier:       securityNotices{a},
		SessionIdle:    cfg.SessionIdle,
		Sealer:         ring,
		Issuer:         cfg.Issuer,
	})

	sender := mail.NewLogSender(log)
	if cfg.SMTPURL != "" {
		if sender, err = mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return err
		}
	}
	a.Outbox = mail.NewOutbox(d, sender, mail.OutboxOptions{Now: cfg.Now, Logger: log,
		OnAttempt: func(failed bool) { a.Metrics.OutboxAttempt("mail", failed) }})

	var keyOpts []oauth.KeySetOption
	if cfg.SigningKeyGenerator != nil {
		keyOpts = append(keyOpts, oauth.WithKeyGenerator(cfg.SigningKeyGenerator))
	}
	keys := oauth.NewKeySet(d, ring, KeyPublishTime, keyOpts...)
	if err := keys.Load(ctx); err != nil {
		return err
	}
	a.OAuth = oauth.New(oauth.Config{Issuer: cfg.Issuer, Secrets: ring, Logger: log, OnToken: a.Metrics.TokenIssued}, a.Clients, keys, people{a.Accounts}, freshRights{a.Rights})
	a.buildEvents()

	zone, err := i18n.LoadZone(cfg.Timezone)
	if err != nil {
		return err
	}
	a.Members = members.New(members.Options{
		DB:            d,
		Accounts:      a.Accounts,
		Rights:        a.Rights,
		Outbox:        a.Outbox,
		Tokens:        a.Clients,
		Events:        a.Events,
		Hasher:        a.Accounts.Hasher(),
		Issuer:        cfg.Issuer,
		InvitationTTL: cfg.InvitationTTL,
		Now:           cfg.Now,
		Zone:          zone,
		Brand:         cfg.Brand,
	})

	proxies, err := web.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return err
	}
	a.Web, err = web.New(web.Deps{
		Issuer:         cfg.Issuer,
		Ready:          d.PingContext,
		Audit:          audit.New(d),
		Secrets:        ring,
		Accounts:       a.Accounts,
		OAuth:          a.OAuth,
		Members:        a.Members,
		Rights:         a.Rights,
		Outbox:         a.Outbox,
		Events:         a.Events,
		Logger:         log,
		Now:            cfg.Now,
		Zone:           zone,
		TrustedProxies: proxies,
		RequestTimeout: cfg.RequestTimeout,
		Metrics:        a.Metrics,
	})
	if err != nil {
		return err
	}
	a.wireMetrics()
	return nil
}

// Handler is Sésame's HTTP handler.
func (a *App) Handler() http.Handler { return a.Web }

// Run does the background work until ctx ends: mail delivery, the
// password-reset requests, the delivery of logout tokens and rights-change
// events to products, the scan for grants that expired (every second), the
// end of timed-out browser sessions (every SessionSweepInterval), the
// policy and token revocation watchers (PostgreSQL), signing key refresh
// and clean-up of expired rows.
// It returns once all of it has stopped, so that Close may follow.
func (a *App) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { a.Outbox.Run(ctx) })
	wg.Go(func() { a.serveMetrics(ctx) })
	wg.Go(func() { a.Members.RunResets(ctx, a.log) })
	wg.Go(func() { a.Events.Run(ctx) })
	wg.Go(func() {
		if err := a.Rights.Watch(ctx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("policy watcher stopped", "err", err)
		}
	})
	wg.Go(func() {
		if err := a.OAuth.WatchRevocations(ctx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("token revocation watcher stopped", "err", err)
		}
	})
	// Keys rotated by another instance (or the CLI) are picked up within
	// KeyReloadInterval, and at once when a token names an unknown kid.
	refresh := time.NewTicker(KeyReloadInterval)
	purge := time.NewTicker(10 * time.Minute)
	if err := a.scanExpiries(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("grant expiry scan", "err", err)
	}
	expiries := time.NewTicker(ExpiryScanInterval)
	defer expiries.Stop()
	sweep := time.NewTicker(SessionSweepInterval)
	defer sweep.Stop()
	defer refresh.Stop()
	defer purge.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-refresh.C:
			// Reload first: the rotation check starts from the keys in
			// memory, so a rotation another instance made is seen
			// without taking the rotation lock.
			if err := a.OAuth.Keys.Refresh(ctx, 0); err != nil {
				a.log.Warn("signing key refresh", "err", err)
			}
			if _, err := a.RotateKeysIfDue(ctx); err != nil {
				a.log.Warn("scheduled signing key rotation", "err", err)
			}
		case <-purge.C:
			a.purge(ctx)
		case <-expiries.C:
			if err := a.scanExpiries(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("grant expiry scan", "err", err)
			}
		case <-sweep.C:
			a.sweepSessions(ctx)
		}
	}
}

// SessionSweepInterval is how often each instance ends the browser
// sessions that timed out (lifetime or idle), telling their products.
const SessionSweepInterval = 2 * time.Second

// sweepSessions ends the sessions that timed out, a batch at a time, until
// none is left.
func (a *App) sweepSessions(ctx context.Context) {
	if _, err := a.Accounts.EndTimedOutSessions(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("end timed-out sessions", "err", err)
	}
}

func (a *App) purge(ctx context.Context) {
	if err := a.Accounts.PurgeExpired(ctx); err != nil {
		a.log.Warn("purge sign-in throttle", "err", err)
	}
	// Keep used codes and rotated refresh tokens a day past their expiry:
	// while a row exists, replaying it revokes its grant.
	if _, err := a.Clients.DeleteExpired(ctx, a.Config.Now().Add(-24*time.Hour)); err != nil {
		a.log.Warn("purge tokens", "err", err)
	}
	if _, err := a.Outbox.Purge(ctx, a.Config.Now().Add(-30*24*time.Hour)); err != nil {
		a.log.Warn("purge mail", "err", err)
	}
	if _, err := a.Events.Purge(ctx, a.Config.Now().Add(-30*24*time.Hour)); err != nil {
		a.log.Warn("purge event deliveries", "err", err)
	}
	if _, err := a.Members.PurgeResets(ctx, a.Config.Now().Add(-24*time.Hour)); err != nil {
		a.log.Warn("purge reset links", "err", err)
	}
	if _, err := a.Rights.PurgeExpired(ctx); err != nil {
		a.log.Warn("purge expired grants", "err", err)
	}
}

// Close releases the database. Stop serving and let Run return first.
func (a *App) Close() error {
	if a.metricsListener != nil {
		a.metricsListener.Close() // already closed when Run served it
	}
	a.stopTracing()
	return a.DB.Close()
}

// memberActive tells rbac whether a member may use its grants: a disabled
// login account keeps them but holds no right.
func (a *App) memberActive(ctx context.Context, memberID string) (bool, error) {
	m, err := a.Accounts.Member(ctx, memberID)
	if errors.Is(err, account.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return m.Status == account.StatusActive, nil
}

// people lets the OAuth provider find the person behind a subject.
// freshRights gives tokens the rights of the last committed rules, read
// from the database: an instance that has not yet heard of a change (its
// cache follows LISTEN/NOTIFY a moment after the commit) must not issue a
// token, often a product's renewal right after a rights-change event, with
// the rights held before it.
type freshRights struct{ rights *rbac.Service }

func (f freshRights) Rights(ctx context.Context, accountID, subject string) ([]string, error) {
	return f.rights.FreshRights(ctx, accountID, subject)
}

type people struct{ accounts *account.Service }

func (p people) Person(ctx context.Context, subject string) (oauth.Person, error) {
	m, err := p.accounts.Member(ctx, subject)
	if errors.Is(err, account.ErrNotFound) {
		return oauth.Person{}, oauth.ErrInactive
	}
	if err != nil {
		return oauth.Person{}, fmt.Errorf("app: person %s: %w", subject, err)
	}
	if m.Status != account.StatusActive {
		return oauth.Person{}, oauth.ErrInactive
	}
	return oauth.Person{Subject: m.ID, AccountID: m.AccountID, Email: m.Email, Name: m.Name}, nil
}

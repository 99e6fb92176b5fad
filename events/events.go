package events

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/internal/lease"
)

// The event types of the tokens.
const (
	// EventBackchannelLogout is the event of a logout token.
	EventBackchannelLogout = "http://schemas.openid.net/event/backchannel-logout"
	// EventTokenClaimsChange is the CAEP event of a rights change.
	EventTokenClaimsChange = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change"
)

// Kind is what a delivery carries.
type Kind string

// The kinds of deliveries.
const (
	KindLogout Kind = "logout" // a back-channel logout token
	KindRights Kind = "rights" // a token-claims-change security event token
)

// TokenLifetime is how long a signed token is valid after it is signed
// (exp - the time of signing; for a first attempt, exp - iat).
const TokenLifetime = 120 * time.Second

// Client is what a delivery needs of a client's registration.
type Client struct {
	BackchannelLogoutURI string
	EventsURI            string
	Alg                  string // ES256 or RS256, the client's token algorithm
}

// Signer signs claims as a JWT with the current key of alg and the header
// typ; package oauth's KeySet implements it.
type Signer interface {
	SignJWT(alg, typ string, claims map[string]any) (string, error)
}

// Options are the dependencies and settings of a Service.
type Options struct {
	Issuer string
	Signer Signer
	// Client returns the registration of a client; an unknown client gives
	// an error matching db.ErrNotFound.
	Client func(ctx context.Context, id string) (Client, error)
	// Audience returns the clients subject is signed into: those of its
	// live browser sessions and those holding live tokens of it.
	Audience func(ctx context.Context, subject string) ([]string, error)
	// Rights returns the rights subject holds in accountID now, as tokens
	// carry them, read from the database.
	Rights func(ctx context.Context, accountID, subject string) ([]string, error)

	// HTTPClient posts the tokens; nil means one that follows no redirect.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Workers is how many deliveries one instance makes at once (default 4).
	Workers int
	// PollInterval is how often Run looks for due rows without being
	// kicked (default 500 ms).
	PollInterval time.Duration
	// Backoff is the wait after the first failure, doubling up to
	// MaxBackoff (defaults 5 s and 5 min). A delivery still failing
	// RetryWindow after the change (default 1 h), or after MaxAttempts
	// attempts (default 18, about an hour with the defaults), has failed.
	Backoff, MaxBackoff time.Duration
	MaxAttempts         int
	RetryWindow         time.Duration
	// Timeout bounds one attempt (default 10 s).
	Timeout time.Duration
	// Instance names this process in its leases; default lease.Instance().
	Instance string
	Logger   *slog.Logger
	// OnAttempt, when set, is told of every delivery attempt, its kind and
	// whether it failed.
	OnAttempt func(kind Kind, failed bool)
}

// Service writes and delivers events.
type Service struct {
	db    *db.DB
	opts  Options
	http  *http.Client
	log   *slog.Logger
	queue lease.Queue
	wake  *lease.Waker
}

// New returns a Service storing its rows in d.
func New(d *db.DB, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 5 * time.Second
	}
	if opts.MaxBackoff < opts.Backoff {
		opts.MaxBackoff = max(5*time.Minute, opts.Backoff)
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 18
	}
	if opts.RetryWindow <= 0 {
		opts.RetryWindow = time.Hour
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Instance == "" {
		opts.Instance = lease.Instance()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Service{
		db: d, opts: opts, http: hc, log: opts.Logger, wake: lease.NewWaker(),
		queue: lease.Queue{
			DB: d, Table: "event_deliveries", Open: "delivered_at IS NULL AND failed_at IS NULL",
			Instance: opts.Instance, Lease: opts.Timeout + leaseSlack,
		},
	}
}

// now is the clock in UTC at the precision both engines keep.
func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Microsecond) }

// newJTI returns a random token id.
func newJTI() string {
	var b [18]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Kick wakes this instance's delivery loop.
func (s *Service) Kick() { s.wake.Kick() }

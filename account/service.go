package account

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
)

// DefaultSessionTTL is how long a browser session lasts when
// Options.SessionTTL is zero.
const DefaultSessionTTL = 12 * time.Hour

// DefaultSessionIdle is how long a browser session may go unused when
// Options.SessionIdle is zero.
const DefaultSessionIdle = 2 * time.Hour

// maxNameRunes bounds display names of accounts and people.
const maxNameRunes = 200

// Options configures a Service; the zero value is usable.
type Options struct {
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// Hasher hashes passwords; NewPasswordHasher(0) by default.
	Hasher *PasswordHasher
	// SessionTTL is the lifetime of a browser session; DefaultSessionTTL by
	// default.
	SessionTTL time.Duration
	// SessionIdle ends a browser session unused for longer, within its
	// lifetime; DefaultSessionIdle by default.
	SessionIdle time.Duration
	// Throttle bounds failed sign-ins; see ThrottleConfig for defaults.
	Throttle ThrottleConfig
	// OnOwnerCreated, when set, runs inside the transaction that creates an
	// account, after its owner is inserted (rights are wired in here). An
	// error rolls the creation back.
	OnOwnerCreated func(ctx context.Context, accountID, memberID string) error
	// OnMemberStatus, when set, runs inside the transaction that changes
	// the status of a member or deletes a login account (caches of who
	// may act are dropped here). An error rolls the change back.
	OnMemberStatus func(ctx context.Context, accountID, memberID string) error
	// Rand is the source of account-ID digits; crypto/rand by default.
	Rand io.Reader
	// Logger receives what users are not told (corrupt hashes); slog's
	// default by default.
	Logger *slog.Logger
	// Tokens revokes the OAuth tokens of a person whose password changes,
	// in the same transaction. Nil only where no token is ever issued
	// (tests of this package).
	Tokens TokenRevoker
	// Sessions hears of every browser session of a member that ends one by
	// one (sign-out, a password change ending the other sessions, an admin
	// ending it, its idle timeout or lifetime passed: EndTimedOutSessions),
	// in the transaction that ends it. Nil: nobody is told.
	Sessions SessionListener
	// Sealer seals second-factor secrets at rest (secret.Ring implements
	// it). Nil: second factors cannot be enrolled.
	Sealer Sealer
	// Notifier tells people of the changes to the security of their
	// access (password, second factors), in the transaction of the change.
	// Nil: nobody is told.
	Notifier Notifier
	// Issuer is Sésame's public URL: its host is the WebAuthn relying
	// party of passkeys. Passkeys need https, or http://localhost; an IP
	// address cannot hold them.
	Issuer string
}

// Sealer encrypts and authenticates small secrets for one purpose.
type Sealer interface {
	Seal(purpose string, plaintext []byte) string
	Open(purpose, sealed string) ([]byte, error)
}

// TokenRevoker ends every OAuth token of a subject (a member ID): refresh
// and access tokens become inactive. It runs in the transaction ctx
// carries. Package oauth's store implements it; account does not import
// oauth.
type TokenRevoker interface {
	RevokeSubject(ctx context.Context, subject string) error
}

// Service manages accounts, members, administrators, sign-in and browser
// sessions on one database. It is safe for concurrent use.
type Service struct {
	db             *db.DB
	trail          *audit.Log
	clock          func() time.Time
	hasher         *PasswordHasher
	sessionTTL     time.Duration
	sessionIdle    time.Duration
	sweepBatch     int // SweepBatch; lowered by tests
	throttle       ThrottleConfig
	onOwnerCreated func(ctx context.Context, accountID, memberID string) error
	onMemberStatus func(ctx context.Context, accountID, memberID string) error
	rand           io.Reader
	log            *slog.Logger
	tokens         TokenRevoker
	sessions       SessionListener
	sealer         Sealer
	notifier       Notifier
	webauthn       *webauthn.WebAuthn
	// dummyHash is verified when a sign-in names nobody with a password,
	// so that such a failure costs what a wrong password costs.
	dummyHash string
}

// NewService returns a Service on d. It computes one argon2id hash (about
// 25 ms) for the timing of failed sign-ins.
func NewService(d *db.DB, opts Options) *Service {
	s := &Service{
		db:             d,
		trail:          audit.New(d),
		clock:          opts.Now,
		hasher:         opts.Hasher,
		sessionTTL:     opts.SessionTTL,
		sessionIdle:    opts.SessionIdle,
		sweepBatch:     SweepBatch,
		throttle:       opts.Throttle.withDefaults(),
		onOwnerCreated: opts.OnOwnerCreated,
		onMemberStatus: opts.OnMemberStatus,
		rand:           opts.Rand,
		log:            opts.Logger,
		tokens:         opts.Tokens,
		sessions:       opts.Sessions,
		sealer:         opts.Sealer,
		notifier:       opts.Notifier,
		webauthn:       newWebAuthn(opts.Issuer),
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.hasher == nil {
		s.hasher = NewPasswordHasher(0)
	}
	if s.sessionTTL <= 0 {
		s.sessionTTL = DefaultSessionTTL
	}
	if s.sessionIdle <= 0 {
		s.sessionIdle = DefaultSessionIdle
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	var secret [32]byte
	rand.Read(secret[:])
	hash, err := s.hasher.Hash(context.Background(), string(secret[:]))
	if err != nil {
		panic("account: dummy hash: " + err.Error()) // only a context error can fail Hash
	}
	s.dummyHash = hash
	return s
}

// Hasher returns the password hasher, for features that set passwords
// (invitations) and store the hash through CreateMember or
// SetMemberPassword.
func (s *Service) Hasher() *PasswordHasher { return s.hasher }

// now is the clock in UTC at the microsecond, the precision both engines
// keep.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// cleanName trims a display name and checks it: at most 200 characters,
// valid UTF-8, no control characters.
func cleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxNameRunes ||
		strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", ErrInvalidName
	}
	return name, nil
}

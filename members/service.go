package members

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/internal/lease"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/rbac"
)

// TokenRevoker ends every token of a subject (a member ID): refresh and
// access tokens become inactive at introspection.
type TokenRevoker interface {
	RevokeSubject(ctx context.Context, subject string) error
}

// Notifier tells the products a person uses what changed, in the
// transaction of the change; package events implements it.
type Notifier interface {
	// SignedOutEverywhere: the person's sessions all end (disabled,
	// deleted, password reset). Called before they are deleted.
	SignedOutEverywhere(ctx context.Context, subject string) error
	// RightsChanged: the person's rights in accountID changed.
	RightsChanged(ctx context.Context, accountID, subject string) error
}

// Options are the dependencies and settings of a Service.
type Options struct {
	DB       *db.DB
	Accounts *account.Service
	Rights   *rbac.Service
	Outbox   *mail.Outbox
	Tokens   TokenRevoker
	Hasher   *account.PasswordHasher
	// Events tells the products of ended sessions and changed rights; nil:
	// nobody is told.
	Events Notifier
	// Issuer is Sésame's public URL; invitation links start with it.
	Issuer string
	// InvitationTTL is how long an invitation link lives; default 72 h.
	InvitationTTL time.Duration
	Now           func() time.Time
	// Zone is the time zone mail writes expiries in; nil means UTC.
	Zone *time.Location
	// Brand is the product name and logo of the messages.
	Brand mail.Brand
}

// Service manages an account's login accounts and invitations.
type Service struct {
	db       *db.DB
	trail    *audit.Log
	accounts *account.Service
	rights   *rbac.Service
	outbox   *mail.Outbox
	tokens   TokenRevoker
	events   Notifier
	hasher   *account.PasswordHasher
	issuer   string
	ttl      time.Duration
	now      func() time.Time
	zone     *time.Location
	// resetWake wakes RunResets when a reset request is stored.
	resetWake *lease.Waker
	brand     mail.Brand
}

// New returns a Service.
func New(o Options) *Service {
	if o.InvitationTTL == 0 {
		o.InvitationTTL = 72 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Hasher == nil {
		o.Hasher = account.NewPasswordHasher(0)
	}
	return &Service{db: o.DB, trail: audit.New(o.DB), accounts: o.Accounts, rights: o.Rights, outbox: o.Outbox, tokens: o.Tokens,
		events: o.Events, hasher: o.Hasher, issuer: o.Issuer, ttl: o.InvitationTTL, now: o.Now, zone: o.Zone, brand: o.Brand, resetWake: lease.NewWaker()}
}

// InTx runs fn in one transaction: the changes the service makes with the
// context fn receives join it (their own transactions do), so that they
// all commit or none does.
func (s *Service) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.InTx(ctx, fn)
}

// InvitationTTL is how long a new invitation link lives.
func (s *Service) InvitationTTL() time.Duration { return s.ttl }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// newToken returns a 256-bit random token and the SHA-256 stored for it.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newID(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

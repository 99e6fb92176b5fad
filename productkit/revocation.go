package productkit

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// EventKind says what a revocation event ends or changes.
type EventKind string

// The kinds of revocation events.
const (
	// SessionEnded: Sésame's session SID ended (back-channel logout with a
	// sid, or a sign-out at the product itself). Every panel session and
	// bearer token of that sid is over.
	SessionEnded EventKind = "session_ended"
	// SubjectEnded: every session of Sub, and every token of Sub issued at
	// or before At, is over (back-channel logout with a sub and no sid: a
	// login account disabled, deleted or its password reset).
	SubjectEnded EventKind = "subject_ended"
	// ClaimsChanged: Sub's rights changed at At and are now Rights (CAEP
	// token-claims-change). Sessions whose rights predate At use Rights;
	// bearer tokens issued at or before At are refused.
	ClaimsChanged EventKind = "claims_changed"
)

// Event is one thing Sésame told the product (or the product decided
// itself, such as a local sign-out), as a RevocationStore records it.
type Event struct {
	Kind EventKind
	// Sub is the person in the account; SID Sésame's session id.
	Sub, SID string
	// At is when the event took effect, on Sésame's clock: the logout
	// token's iat, or the claims change's event_timestamp.
	At time.Time
	// Rights is the full new list of rights, for ClaimsChanged.
	Rights []string
	// JTI is the id of the token that carried the event, "" for an event
	// of the product's own. A store accepts each JTI once.
	JTI string
	// JTIUntil is how long the JTI must be remembered: past the token's
	// expiry, a replay is refused for being expired anyway.
	JTIUntil time.Time
}

// Revocation is what a RevocationStore knows about one person and one
// session. Zero times mean "nothing recorded".
type Revocation struct {
	// SessionEndedAt is when the session asked about ended.
	SessionEndedAt time.Time
	// SubjectEndedAt is the latest time at or before which every session
	// and token of the person is over.
	SubjectEndedAt time.Time
	// ClaimsChangedAt is the latest change of the person's rights, and
	// Rights the rights since then.
	ClaimsChangedAt time.Time
	Rights          []string
}

// SessionOver reports whether a session of the asked sid, signed in at
// signedIn (on Sésame's clock: its ID token's iat), is over. Times have a
// one-second resolution, so a sign-in in the same second as the end counts
// as before it.
func (r Revocation) SessionOver(signedIn time.Time) bool {
	return !r.SessionEndedAt.IsZero() || (!r.SubjectEndedAt.IsZero() && !signedIn.After(r.SubjectEndedAt))
}

// RightsStale reports whether rights carried by a token issued at iat
// predate the last change of the person's rights.
func (r Revocation) RightsStale(iat time.Time) bool {
	return !r.ClaimsChangedAt.IsZero() && !iat.After(r.ClaimsChangedAt)
}

// TokenRefused reports whether a bearer token of the asked sid issued at
// iat and carrying rights must be refused: its session ended, its person
// was ended after it was issued, or its rights are stale. A token issued
// in the second of a rights change that already carries the rights since
// the change is not stale (times are in whole seconds, and a client
// renewing its token right after a refusal must not be refused again).
func (r Revocation) TokenRefused(iat time.Time, rights []string) bool {
	return r.SessionOver(iat) || (r.RightsStale(iat) && !sameRights(rights, r.Rights))
}

// RevocationStore records the sessions Sésame ended and the rights it
// changed, for every instance of one product: a panel session lives in a
// sealed cookie that the product cannot delete from the browser, so the
// store is what says it is over. Implementations must be safe for
// concurrent use; every instance of the product must use the same store
// (MemoryRevocations is enough for a product with one instance,
// PostgresRevocations serves several).
type RevocationStore interface {
	// Record applies e. When e.JTI is not empty and was recorded before,
	// it changes nothing and returns ErrReplay. Recording an older event
	// after a newer one keeps the newer; an event of the same time
	// (second) as the recorded one replaces it: of two rights changes in
	// one second, the token received last was signed last and carries the
	// rights Sésame read last.
	Record(ctx context.Context, e Event) error
	// Lookup returns what is known about sub and sid (either may be "").
	// A revocation recorded on any instance must be visible to Lookup on
	// every instance within a second.
	Lookup(ctx context.Context, sub, sid string) (Revocation, error)
}

// ErrReplay means an event token's jti was seen before.
var ErrReplay = errors.New("productkit: token replayed")

// DefaultRetention is how long a store keeps what it recorded when no
// retention is configured. It must exceed WebAuthConfig.SessionMaxAge
// (12 h by default) and the lifetime of access tokens: past it, every
// session and token the record was about has expired on its own.
const DefaultRetention = 24 * time.Hour

// MemoryRevocations is a RevocationStore in the memory of one process:
// right for a product running one instance, and for tests.
type MemoryRevocations struct {
	now       func() time.Time
	retention time.Duration

	mu     sync.Mutex
	sids   map[string]memRecord
	subs   map[string]memRecord
	claims map[string]memRecord
	jtis   map[string]time.Time
	purged time.Time
}

type memRecord struct {
	at, until time.Time
	rights    []string
}

var _ RevocationStore = (*MemoryRevocations)(nil)

// NewMemoryRevocations returns an empty store keeping records for
// retention (DefaultRetention when zero), on the clock now (time.Now when
// nil).
func NewMemoryRevocations(retention time.Duration, now func() time.Time) *MemoryRevocations {
	if retention <= 0 {
		retention = DefaultRetention
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryRevocations{
		now: now, retention: retention,
		sids: map[string]memRecord{}, subs: map[string]memRecord{}, claims: map[string]memRecord{}, jtis: map[string]time.Time{},
	}
}

// Record implements RevocationStore.
func (m *MemoryRevocations) Record(_ context.Context, e Event) error {
	if err := e.check(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.purge(now)
	if e.JTI != "" {
		if until, ok := m.jtis[e.JTI]; ok && now.Before(until) {
			return ErrReplay
		}
		m.jtis[e.JTI] = e.JTIUntil
	}
	rec := memRecord{at: e.At, until: now.Add(m.retention), rights: slices.Clone(e.Rights)}
	var table map[string]memRecord
	key := e.Sub
	switch e.Kind {
	case SessionEnded:
		table, key = m.sids, e.SID
	case SubjectEnded:
		table = m.subs
	case ClaimsChanged:
		table = m.claims
	}
	if old, ok := table[key]; !ok || !rec.at.Before(old.at) {
		table[key] = rec
	}
	return nil
}

// purge drops expired records, at most once a minute.
func (m *MemoryRevocations) purge(now time.Time) {
	if now.Sub(m.purged) < time.Minute {
		return
	}
	m.purged = now
	for _, t := range []map[string]memRecord{m.sids, m.subs, m.claims} {
		for k, r := range t {
			if !now.Before(r.until) {
				delete(t, k)
			}
		}
	}
	for k, until := range m.jtis {
		if !now.Before(until) {
			delete(m.jtis, k)
		}
	}
}

// Lookup implements RevocationStore.
func (m *MemoryRevocations) Lookup(_ context.Context, sub, sid string) (Revocation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var r Revocation
	live := func(t map[string]memRecord, key string) (memRecord, bool) {
		rec, ok := t[key]
		return rec, ok && key != "" && now.Before(rec.until)
	}
	if rec, ok := live(m.sids, sid); ok {
		r.SessionEndedAt = rec.at
	}
	if rec, ok := live(m.subs, sub); ok {
		r.SubjectEndedAt = rec.at
	}
	if rec, ok := live(m.claims, sub); ok {
		r.ClaimsChangedAt, r.Rights = rec.at, slices.Clone(rec.rights)
	}
	return r, nil
}

// errBadEvent means an event lacks what its kind needs.
var errBadEvent = errors.New("productkit: malformed revocation event")

// check reports whether e holds what its kind needs.
func (e Event) check() error {
	switch {
	case e.At.IsZero():
		return errBadEvent
	case e.Kind == SessionEnded && e.SID != "":
	case (e.Kind == SubjectEnded || e.Kind == ClaimsChanged) && e.Sub != "":
	default:
		return errBadEvent
	}
	if e.JTI != "" && e.JTIUntil.IsZero() {
		return errBadEvent
	}
	return nil
}

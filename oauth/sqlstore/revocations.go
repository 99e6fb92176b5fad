package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"

	"github.com/sesame-idp/sesame/db"
)

// RevocationChannel is the PostgreSQL channel on which the store announces
// what it revokes, so that every instance stops accepting it at once: each
// access token it deactivates or removes before its expiry, and each client
// it deletes. The payload is a Revocation in JSON. Notifications are sent in
// the transaction that revokes, so they are heard once it commits and never
// when it rolls back.
const RevocationChannel = "sesame_oauth_revoked"

// Kinds of Revocation.
const (
	// RevokedAccessToken: one access token may no longer be used.
	RevokedAccessToken = "access_token"
	// RevokedClient: a client is gone, with every token issued to it.
	RevokedClient = "client"
)

// Revocation is one announcement on RevocationChannel, also handed in
// process to the functions registered with OnRevocation.
type Revocation struct {
	// Kind is RevokedAccessToken or RevokedClient.
	Kind string `json:"kind"`
	// Signature is the access token's signature (the last part of the
	// JWT), the key of oauth_access_tokens; empty for a client.
	Signature string `json:"signature,omitempty"`
	// ClientID is the client the token was issued to, or the client deleted.
	ClientID string `json:"client_id"`
	// Subject is the token's subject (empty for a client acting for itself).
	Subject string `json:"sub,omitempty"`
	// ExpiresAt is when the token would have expired anyway, in Unix
	// seconds (rounded up); 0 when it never would.
	ExpiresAt int64 `json:"exp,omitempty"`
}

// OnRevocation registers fn to hear, in this process, every revocation
// made through this Store, once its transaction has committed. Register
// before the store is used: the list is not guarded.
func (s *Store) OnRevocation(fn func(Revocation)) {
	s.onRevoke = append(s.onRevoke, fn)
}

// revokedRow is an access token being deactivated or removed.
type revokedRow struct {
	Signature string       `db:"signature"`
	ClientID  string       `db:"client_id"`
	Subject   string       `db:"subject"`
	ExpiresAt sql.NullTime `db:"expires_at"`
}

const revokedColumns = `signature, client_id, subject, expires_at`

// deactivateAccessTokens deactivates the active access tokens matching
// where (a condition with ? placeholders) and announces them, in one
// transaction. Every path that deactivates access tokens goes through it.
func (s *Store) deactivateAccessTokens(ctx context.Context, where string, args ...any) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		var rows []revokedRow
		err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`UPDATE oauth_access_tokens SET active = FALSE
			WHERE (`+where+`) AND active RETURNING `+revokedColumns), args...)
		if err != nil {
			return err
		}
		return s.announce(ctx, s.tokenRevocations(rows))
	})
}

// tokenRevocations turns rows into announcements, leaving out the tokens
// that have expired already.
func (s *Store) tokenRevocations(rows []revokedRow) []Revocation {
	now := s.now()
	revs := make([]Revocation, 0, len(rows))
	for _, r := range rows {
		rev := Revocation{Kind: RevokedAccessToken, Signature: r.Signature, ClientID: r.ClientID, Subject: r.Subject}
		if r.ExpiresAt.Valid {
			if !r.ExpiresAt.Time.After(now) {
				continue
			}
			rev.ExpiresAt = r.ExpiresAt.Time.Unix() + 1
		}
		revs = append(revs, rev)
	}
	return revs
}

// announce queues revs on RevocationChannel in ctx's transaction (on
// PostgreSQL) and hands them to the OnRevocation functions once it
// commits.
func (s *Store) announce(ctx context.Context, revs []Revocation) error {
	if len(revs) == 0 {
		return nil
	}
	if s.db.Dialect == db.Postgres {
		payloads := make([]string, len(revs))
		for i, r := range revs {
			b, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("encode revocation: %w", err)
			}
			payloads[i] = string(b)
		}
		if _, err := s.db.ExecContext(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, RevocationChannel, pq.Array(payloads)); err != nil {
			return fmt.Errorf("notify revocations: %w", err)
		}
	}
	if len(s.onRevoke) > 0 {
		hooks := s.onRevoke
		s.db.AfterCommit(ctx, func() {
			for _, r := range revs {
				for _, fn := range hooks {
					fn(r)
				}
			}
		})
	}
	return nil
}

package sqlstore

import (
	"context"
	"time"
)

// RevokeSubject deactivates every access token, refresh token and unused
// code of subject and removes its pending PKCE and OpenID Connect requests,
// for a person whose login account is disabled or deleted. It runs in the
// transaction ctx carries, if any.
//
// It does not stop new grants: the sign-in must refuse the person first.
func (s *Store) RevokeSubject(ctx context.Context, subject string) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// On PostgreSQL a token exchange in flight holds the row of the code
		// or refresh token it consumes: the first pass waits for it to
		// commit, and the second, with a fresh snapshot, catches the tokens
		// it issued. On SQLite writers are serialized and the second pass
		// finds nothing.
		for range 2 {
			for _, k := range []kind{codes, refreshTokens} {
				if _, err := s.exec(ctx, `UPDATE `+k.table+` SET active = FALSE WHERE subject = ? AND active`, subject); err != nil {
					return err
				}
			}
			if err := s.deactivateAccessTokens(ctx, `subject = ?`, subject); err != nil {
				return err
			}
		}
		for _, k := range []kind{pkceRequests, oidcSessions} {
			if _, err := s.exec(ctx, `DELETE FROM `+k.table+` WHERE subject = ?`, subject); err != nil {
				return err
			}
		}
		return nil
	})
	return fail("revoke subject", err)
}

// DeleteExpired removes the codes, tokens, PKCE and OpenID Connect requests
// and client assertion JWT IDs that expired before the given time, and
// returns how many rows it removed. Rows without an expiry (refresh tokens
// of an unlimited lifespan) stay. A code or refresh token removed can no
// longer reveal its reuse, so pass a time well before now (a day, say).
func (s *Store) DeleteExpired(ctx context.Context, before time.Time) (int64, error) {
	before = before.UTC().Truncate(time.Microsecond)
	var total int64
	for _, table := range []string{codes.table, accessTokens.table, refreshTokens.table, pkceRequests.table, oidcSessions.table, "oauth_jtis"} {
		n, err := s.exec(ctx, `DELETE FROM `+table+` WHERE expires_at < ?`, before)
		if err != nil {
			return total, fail("delete expired", err)
		}
		total += n
	}
	return total, nil
}

// LiveClients returns the clients holding a live refresh or access token
// of subject, each once: the products that must hear when the person is
// signed out everywhere or their rights change. Call it before
// RevokeSubject.
func (s *Store) LiveClients(ctx context.Context, subject string) ([]string, error) {
	now := s.now()
	var ids []string
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT client_id FROM oauth_refresh_tokens
			WHERE subject = ? AND active AND (expires_at IS NULL OR expires_at > ?)
		UNION SELECT client_id FROM oauth_access_tokens
			WHERE subject = ? AND active AND expires_at > ?
		ORDER BY client_id`), subject, now, subject, now)
	if err != nil {
		return nil, fail("live clients", err)
	}
	return ids, nil
}

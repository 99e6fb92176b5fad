package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/ory/fosite"
)

// CreateAccessTokenSession stores the request behind an access token.
func (s *Store) CreateAccessTokenSession(ctx context.Context, signature string, r fosite.Requester) error {
	return s.createRequest(ctx, accessTokens, signature, "", r)
}

// GetAccessTokenSession loads the request behind an access token, filling
// session in place (nil: no session, as fosite's revocation does). A revoked
// token comes back with its request and an error satisfying
// errors.Is(err, fosite.ErrInactiveToken).
func (s *Store) GetAccessTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	return s.getRequest(ctx, accessTokens, signature, session)
}

// DeleteAccessTokenSession removes an access token, announcing it on
// RevocationChannel when it was still alive. One statement removes it and
// tells whether it was.
func (s *Store) DeleteAccessTokenSession(ctx context.Context, signature string) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var rows []struct {
			Active bool `db:"active"`
			revokedRow
		}
		err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`DELETE FROM oauth_access_tokens WHERE signature = ? RETURNING active, `+revokedColumns), signature)
		if err != nil {
			return err
		}
		var alive []revokedRow
		for _, r := range rows {
			if r.Active {
				alive = append(alive, r.revokedRow)
			}
		}
		return s.announce(ctx, s.tokenRevocations(alive))
	})
	return fail("delete access token", err)
}

// CreateRefreshTokenSession stores the request behind a refresh token,
// with the signature of the access token issued together with it.
func (s *Store) CreateRefreshTokenSession(ctx context.Context, signature, accessSignature string, r fosite.Requester) error {
	return s.createRequest(ctx, refreshTokens, signature, accessSignature, r)
}

// GetRefreshTokenSession loads the request behind a refresh token, filling
// session in place. A rotated or revoked token comes back with its request
// and an error satisfying errors.Is(err, fosite.ErrInactiveToken): fosite
// takes it for reuse and revokes the whole grant.
func (s *Store) GetRefreshTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	return s.getRequest(ctx, refreshTokens, signature, session)
}

// DeleteRefreshTokenSession removes a refresh token.
func (s *Store) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	return s.deleteRequest(ctx, refreshTokens, signature)
}

// RotateRefreshToken retires the refresh token being used, and the tokens
// issued before it in the same grant (requestID), before fosite stores
// their successors. Of concurrent rotations of one token exactly one
// succeeds; the others get an error satisfying errors.Is for both
// fosite.ErrSerializationFailure and fosite.ErrInactiveToken.
func (s *Store) RotateRefreshToken(ctx context.Context, requestID, signature string) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, `UPDATE oauth_refresh_tokens SET active = FALSE WHERE signature = ? AND active`, signature)
		if err != nil {
			return err
		}
		if n == 0 {
			var exists int
			if err := s.db.GetContext(ctx, &exists, s.db.Rebind(`SELECT 1 FROM oauth_refresh_tokens WHERE signature = ?`), signature); err != nil {
				return err
			}
			return errAlreadyRotated
		}
		return s.revokeGrant(ctx, requestID, refreshTokens, accessTokens)
	})
	if errors.Is(err, errAlreadyRotated) {
		return fmt.Errorf("sqlstore: rotate refresh token: %w", err)
	}
	return fail("rotate refresh token", err)
}

var errAlreadyRotated = fmt.Errorf("already rotated by another request: %w: %w", fosite.ErrSerializationFailure, fosite.ErrInactiveToken)

// RevokeRefreshToken deactivates the refresh tokens of a grant. A grant
// without one is not an error.
func (s *Store) RevokeRefreshToken(ctx context.Context, requestID string) error {
	return fail("revoke refresh token", s.revokeGrant(ctx, requestID, refreshTokens))
}

// RevokeAccessToken deactivates the access tokens of a grant. A grant
// without one is not an error.
func (s *Store) RevokeAccessToken(ctx context.Context, requestID string) error {
	return fail("revoke access token", s.revokeGrant(ctx, requestID, accessTokens))
}

// RevokeRequest deactivates everything issued for a grant: its code,
// access tokens and refresh tokens.
func (s *Store) RevokeRequest(ctx context.Context, requestID string) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		return s.revokeGrant(ctx, requestID, codes, refreshTokens, accessTokens)
	})
	return fail("revoke request", err)
}

// revokeGrant deactivates the rows of requestID in tables ks. Callers list
// tables in one order (codes, refresh tokens, access tokens) so that
// concurrent revocations on PostgreSQL lock rows in the same order.
func (s *Store) revokeGrant(ctx context.Context, requestID string, ks ...kind) error {
	for _, k := range ks {
		if k.table == accessTokens.table {
			if err := s.deactivateAccessTokens(ctx, `request_id = ?`, requestID); err != nil {
				return err
			}
			continue
		}
		if _, err := s.exec(ctx, `UPDATE `+k.table+` SET active = FALSE WHERE request_id = ? AND active`, requestID); err != nil {
			return err
		}
	}
	return nil
}

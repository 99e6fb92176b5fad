package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/ory/fosite"
)

// CreateAuthorizeCodeSession stores the authorization request behind the
// code whose signature is given.
func (s *Store) CreateAuthorizeCodeSession(ctx context.Context, signature string, r fosite.Requester) error {
	return s.createRequest(ctx, codes, signature, "", r)
}

// GetAuthorizeCodeSession loads the request behind a code, filling session
// in place. A redeemed (or revoked) code comes back with its request and an
// error satisfying errors.Is(err, fosite.ErrInvalidatedAuthorizeCode), which
// makes fosite revoke the tokens of that grant.
func (s *Store) GetAuthorizeCodeSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	return s.getRequest(ctx, codes, signature, session)
}

// InvalidateAuthorizeCodeSession marks a code redeemed. It succeeds for
// exactly one caller even under concurrency: the others get an error
// satisfying errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) (or
// fosite.ErrNotFound for an unknown code), and fosite then rolls back their
// token issuance.
func (s *Store) InvalidateAuthorizeCodeSession(ctx context.Context, signature string) error {
	n, err := s.exec(ctx, `UPDATE oauth_codes SET active = FALSE WHERE signature = ? AND active`, signature)
	if err != nil {
		return fail("invalidate authorization code", err)
	}
	if n == 1 {
		return nil
	}
	var exists int
	if err := s.db.GetContext(ctx, &exists, s.db.Rebind(`SELECT 1 FROM oauth_codes WHERE signature = ?`), signature); err != nil {
		return fail("invalidate authorization code", err)
	}
	return fmt.Errorf("sqlstore: invalidate authorization code: %w", fosite.ErrInvalidatedAuthorizeCode)
}

// CreatePKCERequestSession stores the PKCE challenge of a code, keyed by
// the code's signature.
func (s *Store) CreatePKCERequestSession(ctx context.Context, signature string, r fosite.Requester) error {
	return s.createRequest(ctx, pkceRequests, signature, "", r)
}

// GetPKCERequestSession loads the PKCE request of a code.
func (s *Store) GetPKCERequestSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	return s.getRequest(ctx, pkceRequests, signature, session)
}

// DeletePKCERequestSession removes the PKCE request of a code.
func (s *Store) DeletePKCERequestSession(ctx context.Context, signature string) error {
	return s.deleteRequest(ctx, pkceRequests, signature)
}

// oidcKey is the key of an OpenID Connect session: fosite hands over the
// raw authorization code, which must not be stored.
func oidcKey(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// CreateOpenIDConnectSession stores the OpenID Connect request of a code
// under the SHA-256 of the raw code.
func (s *Store) CreateOpenIDConnectSession(ctx context.Context, code string, r fosite.Requester) error {
	return s.createRequest(ctx, oidcSessions, oidcKey(code), "", r)
}

// GetOpenIDConnectSession loads the OpenID Connect request of a raw code,
// decoding its session into the session of r (the token request).
func (s *Store) GetOpenIDConnectSession(ctx context.Context, code string, r fosite.Requester) (fosite.Requester, error) {
	var session fosite.Session
	if r != nil {
		session = r.GetSession()
	}
	return s.getRequest(ctx, oidcSessions, oidcKey(code), session)
}

// DeleteOpenIDConnectSession removes the OpenID Connect request of a raw
// code.
func (s *Store) DeleteOpenIDConnectSession(ctx context.Context, code string) error {
	return s.deleteRequest(ctx, oidcSessions, oidcKey(code))
}

// Package sqlstore is fosite's storage on Sésame's database (PostgreSQL or
// SQLite, through sqlx): OAuth 2.0 clients, authorization codes, access and
// refresh tokens, PKCE challenges, OpenID Connect sessions and the JWT IDs
// of client assertions (tables of migration 00002).
//
// Store implements the storage interfaces fosite's handlers assert when the
// provider is composed, and storage.Transactional: fosite wraps each token
// issuance in BeginTX/Commit, and every method runs in the transaction the
// context carries. It keeps fosite's error contract: a missing row satisfies
// errors.Is(err, fosite.ErrNotFound), a redeemed code comes back with its
// request and fosite.ErrInvalidatedAuthorizeCode, a rotated or revoked
// refresh token with its request and fosite.ErrInactiveToken.
//
// Codes are redeemed at most once: InvalidateAuthorizeCodeSession is a
// conditional UPDATE that fails when another request got there first.
//
// Every access token it deactivates before its expiry (revocation, refresh
// token rotation or reuse, a person disabled or deleted) and every client it
// deletes is announced on the PostgreSQL channel RevocationChannel and to
// the functions registered with OnRevocation, once the transaction commits:
// instances that verify access tokens without reading the database rely on
// it.
//
// Package sqlstore imports db, fosite and lib/pq, and rights (the grammar
// of a client's product name) only; it must not import oauth (the provider
// built on it) nor any other package of Sésame.
package sqlstore

// Package productkittest runs an OpenID Connect provider in-process that
// speaks the contracts of Sésame (DESIGN.md §3) closely enough to test a
// product end to end: discovery, a JWKS whose keys can be rotated and
// removed, the authorization code flow with PKCE S256, refresh tokens with
// rotation and reuse detection, client credentials, RP-initiated logout,
// revocation and the check API; ID and access tokens carry a sid per
// sign-in. It also builds the logout tokens and security event tokens
// Sésame pushes to products (LogoutClaims, ClaimsChangeClaims, Sign). It counts the requests a test wants to
// bound (JWKS fetches, checks, refreshes).
//
// It is for tests only and imports nothing of Sésame's server side.
package productkittest

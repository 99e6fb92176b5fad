// Package oauth is Sésame's OpenID Connect provider, composed from fosite:
// the session stored with codes and tokens, the signing keys (persisted,
// sealed, rotatable, published in the JWKS), and the HTTP endpoints that
// need no page: token, introspection, revocation, userinfo, discovery and
// JWKS. A storage failure at these endpoints is answered 503
// temporarily_unavailable, never as the client's or the token's fault.
// Introspection answers active only to the client a token was issued to
// and to its audience. The authorize endpoint and its login step live in
// package web,
// which renders the pages and calls Provider to finish the request.
//
// A grant of the code flow carries the sid of the browser session it came
// from (Session.SetSID): ID tokens and access tokens, refreshed ones too,
// carry it. KeySet.SignJWT signs the other tokens Sésame issues (logout
// tokens, security event tokens) with the same published keys.
//
// VerifyAccessToken verifies the access tokens presented to Sésame's own
// APIs: in full (signature by kid, typ, expiry, then active in
// storage) the first time an instance sees a token, from memory afterwards.
// Revocations announced by package sqlstore, in process and on PostgreSQL
// (WatchRevocations listens on sqlstore.RevocationChannel), make every
// instance forget the tokens they name; while the listener is cut, every
// call reads the database.
//
// Package oauth does not import account or rbac: it declares the small
// interfaces it needs (People, RightsLister) and cmd wires them.
package oauth

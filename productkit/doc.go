// Package productkit is what a product of the hosting company (the domain,
// server and email panels) imports to trust Sésame: it signs people in
// through Sésame in the browser (WebAuth), verifies bearer access tokens on
// JSON APIs (Guard), and enforces rights on gin routes (Require), either
// from the rights carried by the token or live through Sésame's check API
// (Checker).
//
// One Issuer holds Sésame's discovery document and signing keys; share it
// between the WebAuth, Guard and Checker of a product so that they share one
// JWKS cache. The key set refetches the JWKS only for a token whose key id
// it does not know, at most once per KeysMinInterval, and rejects a token
// whose header cannot be parsed before any fetch, so that garbage tokens
// cannot make the product hammer Sésame.
//
// Rights are strings "product:action", optionally narrowed to one resource:
// "product:action:resource". A held right covers a request for the same
// product and action on any resource; a narrowed held right covers only its
// resource, compared case-insensitively (see Identity.Allows). The grammar
// is package rights', the same that Sésame's check API follows.
//
// The browser session lives in sealed cookies (AES-256-GCM, key derived
// from WebAuthConfig.CookieSecret): nothing is stored on the server, so a
// product may run several instances behind a load balancer.
//
// What Sésame ends or changes reaches the product within a second through
// a Receiver: Back-Channel Logout 1.0 logout tokens at POST
// /backchannel-logout (a session ended: sid; a person disabled, deleted or
// their password reset: sub alone) and RFC 8417 security event tokens
// carrying the CAEP token-claims-change event, pushed as in RFC 8935 at
// POST /events (a person's new rights). Each token is verified fully
// (signature through the issuer's keys, algorithm, typ, iss, aud, iat,
// exp, events, no nonce; a jti already recorded is acknowledged again and
// changes nothing) and its event recorded in a
// RevocationStore shared by every instance of the product:
// MemoryRevocations for one instance, PostgresRevocations (one table it
// creates itself) for several. WebAuth, Guard and Checker given the same
// store sign out ended sessions, refuse ended or outdated bearer tokens
// with invalid_token, use the new rights of a session at once, and stop
// reusing cached live decisions.
//
// Sign-out is a POST form carrying CSRFToken (field CSRFField) from the
// product's origin; it ends the panel session, records its sid as ended,
// and sends the browser to Sésame's end_session_endpoint with
// id_token_hint and post_logout_redirect_uri (by default <base>/signed-out,
// a page Mount serves), so that Sésame's session ends too.
//
// Calls to Sésame carry the trace context of their context (W3C
// traceparent) through OpenTelemetry's global propagator, so that a
// product that traces sees its requests continue in Sésame's spans; a
// product that installs no propagator sends nothing more.
//
// Package productkit must not import anything of Sésame's server side
// (oauth, web, account, rbac, db); of Sésame it imports package rights
// only, which imports nothing of Sésame. It speaks to Sésame only through the
// contracts of DESIGN.md §3 (OpenID Connect discovery, JWKS, the token,
// end-session and revocation endpoints, and POST /api/v1/authz/check) and
// the logout and claims-change tokens Sésame pushes. PostgresRevocations
// takes a *sql.DB the product opens with the driver of its choice
// (github.com/lib/pq).
package productkit

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
// Calls to Sésame carry the trace context of their context (W3C
// traceparent) through OpenTelemetry's global propagator, so that a
// product that traces sees its requests continue in Sésame's spans; a
// product that installs no propagator sends nothing more.
//
// Package productkit must not import anything of Sésame's server side
// (oauth, web, account, rbac, db); of Sésame it imports package rights
// only, which imports nothing of Sésame. It speaks to Sésame only through the
// contracts of DESIGN.md §3 (OpenID Connect discovery, JWKS, the token,
// end-session and revocation endpoints, and POST /api/v1/authz/check).
package productkit

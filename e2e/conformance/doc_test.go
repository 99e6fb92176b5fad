// Package conformance_test holds Sésame to the OpenID Foundation's
// certification plans for an OpenID Provider: Basic OP, Config OP,
// RP-Initiated Logout OP (and, in backchannel_test.go, the place of the
// Back-Channel Logout OP). Each test is named after a module of the
// suite (oidcc-server, oidcc-codereuse, …) and walks what that module
// sends against a running Sésame, on SQLite and on PostgreSQL, with
// go-oidc and golang.org/x/oauth2 as the relying party and a cookie-keeping
// HTTP client that fills Sésame's real forms as the person's browser.
//
// The suite's client is registered as the certification's static
// configuration asks: confidential, client_secret_basic (and a second one
// with client_secret_post), ID tokens in RS256 (OpenID Connect's default,
// which oidcc-idtoken-signature requires; Sésame's own default is ES256),
// without the PKCE requirement, since the suite's modules send no
// code_challenge (Sésame keeps PKCE required by default and enforces any
// challenge that is sent).
//
// errors_test.go walks every error path of the protocol endpoints for the
// characters RFC 6749 allows in error_description; points_test.go what
// Sésame adds (PKCE as registered, loopback redirect URIs, release of
// rights, empty claims, unknown scopes).
package conformance_test

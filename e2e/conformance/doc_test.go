// Package conformance_test holds Sésame to the OpenID Foundation's
// certification plans for an OpenID Provider: Basic OP, Config OP,
// RP-Initiated Logout OP and Back-Channel Logout OP. Each test is named
// after a module of the suite (oidcc-server, oidcc-codereuse, …) and walks
// what that module sends against a running Sésame, on SQLite and on PostgreSQL, with
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
// The Back-Channel Logout OP plan
// (oidcc-backchannel-rp-initiated-logout-certification-test-plan,
// backchannel_test.go; the client registered with a
// backchannel_logout_uri), and what each module must end with:
//
//   - oidcc-backchannel-logout-discovery-endpoint-verification: PASSED.
//     backchannel_logout_supported and backchannel_logout_session_supported
//     are true, end_session_endpoint is the issuer's, and so is every
//     *_endpoint (https wherever the issuer is).
//   - oidcc-backchannel-rp-initiated-logout (client_secret_basic): PASSED.
//     After the logout request the browser goes to the
//     post_logout_redirect_uri with its state, and the backchannel_logout_uri receives a form POST
//     holding logout_token alone: signed with a key of the JWKS (kid in the
//     header) in the client's ID-token algorithm, typ logout+jwt, iss, aud
//     (the client ID), iat, exp after it, jti (one per token), events with
//     the back-channel logout event alone and empty, sub and sid those of
//     the ID token, no nonce; prompt=none then answers login_required.
//
// errors_test.go walks every error path of the protocol endpoints for the
// characters RFC 6749 allows in error_description; points_test.go what
// Sésame adds (PKCE as registered, loopback redirect URIs, release of
// rights, empty claims, unknown scopes).
package conformance_test

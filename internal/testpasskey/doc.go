// Package testpasskey is a software WebAuthn authenticator for tests: it
// answers the creation and request options Sésame hands to a page the way
// a browser with a passkey would (ES256, "none" attestation), so that
// tests drive the real ceremonies over HTTP without a browser.
package testpasskey

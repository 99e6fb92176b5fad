// Package sesametest starts a real Sésame for tests — the same app.Open as
// production, on an httptest server, with SQLite or PostgreSQL and an
// in-process SMTP server — and drives it like a browser would: cookies,
// forms with their CSRF fields, redirects. The end-to-end tests of every
// package use it. Two costs are cut, through app.Config and not through
// any setting: passwords are hashed with argon2id at a tiny cost, and
// signing keys come from a pool the test binary shares (see
// internal/testcrypto).
package sesametest

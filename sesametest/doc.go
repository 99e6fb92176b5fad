// Package sesametest starts a real Sésame for tests — the same app.Open as
// production, on an httptest server, with SQLite or PostgreSQL and an
// in-process SMTP server — and drives it like a browser would: cookies,
// forms with their CSRF fields, redirects. The end-to-end tests of every
// package use it.
package sesametest

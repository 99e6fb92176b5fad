// Package app assembles Sésame from its packages: it opens the database,
// applies migrations, loads secrets and signing keys, builds the services
// and the web handler, and runs the background work (mail outbox, policy
// watcher, clean-up). cmd/sesame and the end-to-end tests both start
// Sésame through it, so tests run exactly what production runs.
//
// Package app imports every server-side package; only cmd and tests
// import app.
package app

// Package e2e_test drives a real Sésame (SQLite and PostgreSQL) over HTTP
// with the clients a product would use: go-oidc and x/oauth2, a browser-like
// HTTP client that fills the real forms, and an in-process SMTP server.
package e2e_test

// Package panel is the demo hosting panel — domain, server or email — that
// cmd/demo-product serves and `sesame demo` runs in process: fake
// resources per account, pages and a JSON API guarded by the rights Sésame
// gives (see the command's documentation for the routes and rights).
//
// New builds a panel's http.Handler; it contacts Sésame only when first
// needed. Package panel imports productkit and nothing of Sésame's server
// side.
package panel

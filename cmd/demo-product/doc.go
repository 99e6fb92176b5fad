// Command demo-product is a small hosting panel — the domain, server or
// email panel of the hosting company — that signs people in through Sésame
// and enforces the rights Sésame gives them. It shows how a product uses
// package productkit, and serves as the relying party of end-to-end tests.
//
// Usage:
//
//	demo-product --product domain|server|email [--addr localhost:8081]
//	    [--issuer http://localhost:8080] [--client-id domain-panel]
//	    [--client-secret S] [--public-url http://localhost:8081]
//	    [--audience A] [--cookie-secret S] [--check-cache 5s]
//	    [--database-url postgres://…]
//
// Every flag falls back to an environment variable: DEMO_PRODUCT,
// DEMO_ADDR, DEMO_ISSUER, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
// DEMO_PUBLIC_URL, DEMO_AUDIENCE, DEMO_COOKIE_SECRET, DEMO_DATABASE_URL.
//
// The panel is a confidential client of Sésame, registered for example as
//
//	sesame clients create --id domain-panel --name "Domaines" \
//	    --redirect-uri http://localhost:8081/callback --first-party \
//	    --grant-types authorization_code,refresh_token,client_credentials \
//	    --scopes openid,profile,email,offline_access,sesame:authz \
//	    --post-logout-redirect-uri http://localhost:8081/signed-out \
//	    --backchannel-logout-uri http://localhost:8081/backchannel-logout \
//	    --events-uri http://localhost:8081/events \
//	    --client-uri http://localhost:8081 --product domain
//
// Sésame then tells the panel when a session ends (a logout token at
// /backchannel-logout) and when a person's rights change (a CAEP
// token-claims-change event at /events); the panel signs the browser out,
// refuses older bearer tokens, and uses the new rights at once. It keeps
// what it was told in a revocation store: in memory by default, which is
// right for one instance; with --database-url, in the PostgreSQL table
// <product>_panel_revocations (created when missing), which every instance
// of the panel must share. Sign-out is the form of every page (POST with a
// CSRF token); it ends Sésame's session too and comes back to /signed-out.
//
// Its resources are fake and kept in memory, seeded from the account ID:
// every account has the domain example.cm (plus two more), the server
// web-01 (plus two more) and the mailboxes contact@ and factures@example.cm.
// Viewing takes domain:read, server:read or email:read, judged from the
// session's token; every write is decided live by the check API: editing a
// DNS zone takes domain:dns or domain:dns:<domain>; rebooting, stopping or
// starting a server takes server:operate[:<server>]; creating and deleting
// mailboxes takes email:manage[:<mail domain>].
//
// The JSON API under /api takes a bearer access token issued by Sésame
// whose audience holds the client ID (or --audience): GET /api/me, and for
// the domain panel GET /api/domains, GET|POST /api/domains/{d}/records,
// DELETE /api/domains/{d}/records/{id}; for the server panel GET
// /api/servers, POST /api/servers/{s}/{reboot|stop|start}; for the email
// panel GET /api/mailboxes, PUT|DELETE /api/mailboxes/{address}.
//
// The panel itself is package panel (cmd/demo-product/panel), which
// `sesame demo` also runs in process; this command only reads flags.
//
// It must not import Sésame's server side: only productkit.
package main

// Package web is Sésame's HTTP face: the gin router, the pages (login,
// consent, set password, the console "Gestion des connexions", the admin
// policy editor, errors), the authorize endpoint with its login step, the
// browser sessions and their cookies, CSRF protection, security headers,
// and the JSON management and check APIs.
//
// Handlers return errors (see handle.go): s.page, s.adminPage and s.api
// turn them into the error page, in the person's language, or the JSON
// error {"error":"code","message":"…"}. One function, classify
// (errors.go), maps every error to its status, code and message key: the
// services' sentinels to 4xx, a database failure to 503 and anything else
// to 500, logged; the text of an error never reaches a client.
//
// Every word a page shows comes from the i18n catalog: templates call
// {{.T "key" "Name" value}} (or .TH for a message with markup), Go code
// s.msg(c, key, args...). The request's language is decided once, by the
// language middleware with i18n.Match; dates are written by i18n.Dates in
// that language and the display zone (Deps.Zone).
//
// Every request first passes the same middlewares (server.go): the client
// address (clientip.go: the TCP peer, or what a trusted proxy reports), the
// request log without link tokens (redact.go), a deadline (deadline.go), a
// body read whole within its limit with multipart refused (body.go), and
// the refusal of NUL bytes and invalid UTF-8 (input.go). The OAuth
// endpoints also refuse repeated parameters (oauthparams.go).
//
// Package web imports oauth, account, members, rbac, mail, events, audit,
// i18n, metrics and db;
// nothing imports web but app.
package web

// Package web is Sésame's HTTP face: the gin router, the pages (login,
// consent, set password, the console "Gestion des connexions", the admin
// policy editor, errors), the authorize endpoint with its login step, the
// browser sessions and their cookies, CSRF protection, security headers,
// and the JSON management and check APIs.
//
// Package web imports oauth, account, members, rbac, mail, audit and db;
// nothing imports web but app.
package web

// Package rights owns the grammar of a right in Sésame, shared by the
// server (package rbac, the check API, package members) and by products
// (package productkit), so that a token and the check API always give the
// same answer.
//
// A right is "product:action", optionally narrowed to one resource:
// "product:action:resource" (e.g. "domain:dns:example.cm"). Resources are
// DNS-like names compared case-insensitively; Parse and NormalizeResource
// write them in one canonical form (lower case, no trailing dot,
// internationalized labels in punycode). A right on the whole product
// covers every resource; a narrowed right covers its own resource only.
// A Grant is a right until an expiry; NormalizeGrants validates and
// de-duplicates a list of them, Delegable says whether a granter may hand
// one out.
//
// Parse checks the syntax only: which rights exist (the catalog in
// policies/) is rbac's business, passed in as a Checker where needed.
//
// Package rights imports nothing of Sésame, only the standard library and
// golang.org/x/net/idna: products import it through productkit.
package rights

// Package rbac owns the rights of Sésame: which member of an account may do
// what, on which resource, until when. Rights are Casbin rules (model,
// catalog and default role templates in package policies) stored in the
// casbin_rule table through a sqlx adapter.
//
// A Service keeps one small enforcer per account, loaded on demand with a
// filtered load and kept in a bounded LRU; a change drops the account's
// enforcer at once in this process and, through PostgreSQL LISTEN/NOTIFY
// (Service.Watch), in every other instance. While the listener is cut,
// changes may go unheard: from its disconnection until it has reconnected
// and dropped every enforcer, checks load the rules from the database
// instead of the cache. An enforcer also remembers which of the account's
// members Options.Active reported active: a change of a member's status is
// announced like a change of rules (MemberStatusChanged). Writers run in the caller's transaction, so a
// change of rights commits together with the change of the member that
// caused it.
//
// Of Sésame, package rbac imports db, audit, policies and rights only; it
// must not import oauth, account, web or mail (they call it). The grammar
// of a right (syntax, resources, coverage, grant lists) is package
// rights'; rbac adds the catalog and the storage.
package rbac

// Package audit records who did what to whom, when and from where: every
// change to accounts, login accounts, invitations and policies, and every
// sign-in. Records are written in the caller's transaction so that a change
// and its trace commit together.
//
// Package audit imports only db.
package audit

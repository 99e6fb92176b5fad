// Package members is "Gestion des connexions": an account's owner (or a
// login account holding members:manage) invites people by email, and
// changes the rights of, disables, re-enables and deletes its login
// accounts; the invited person accepts by setting a password.
//
// Every operation checks who acts (an Actor) before it changes anything,
// writes the change, its audit line and any mail in one transaction, and
// makes disabling or deleting effective at once: sessions end and tokens
// are revoked in the same call.
//
// An invitation carries its sender's rights: it can be accepted only while
// the sender could still send it, and deleting, disabling or demoting a
// manager revokes the pending invitations it sent. Every sending (resends
// included) counts against the account's hourly quota.
//
// A delegated manager grants only what it holds itself, on the same
// resources and for no longer (rights.Delegable over its effective grants,
// direct and through roles).
//
// Forgotten passwords: QueueReset stores the form's request, the same
// small write whoever asks, before the form answers; RunResets, in every
// instance, claims the stored requests with a lease and for each one
// writes the link and queues its mail (when the person exists) and deletes
// the request in one transaction, retrying with a backoff.
//
// Security notices: SecurityMail implements account.Notifier; it renders
// the notice (mail.RenderSecurityNotice) and queues it in the outbox in the
// transaction of the change that account is making.
//
// Package members imports account, rbac, rights, mail, audit, i18n, db and
// internal/lease (the claims of its queue of reset requests).
// It does not import oauth: token revocation comes in through TokenRevoker.
package members

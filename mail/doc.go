// Package mail sends Sésame's outgoing mail: the messages themselves
// (Message, rendered from templates/mail by RenderInvitation,
// RenderPasswordReset and RenderSecurityNotice), the ways of
// sending them (an SMTP server, or the log when none is configured) and a
// transactional outbox that delivers them with retries.
//
// A message is never sent from a request. The code that causes it (an
// invitation) calls Outbox.Enqueue in its own transaction, so the message
// exists if and only if the change committed, then calls Outbox.Kick after
// the commit. Outbox.Run, one per instance, delivers what is due; an SMTP
// outage only delays mail.
//
// Package mail imports db, i18n, templates and internal/lease (the claims,
// backoff and wake-up loop it shares with Sésame's other outboxes), nothing
// else.
package mail

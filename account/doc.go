// Package account owns the people who sign in to Sésame: customer accounts,
// their members (the owner and the login accounts), platform
// administrators, the password policy and hashing, sign-in with its
// throttling, and server-side browser sessions.
//
// Sign-in never tells an unknown email, an unknown account ID, a person who
// is not a member, an invited or disabled member and a wrong password
// apart: all give ErrInvalidCredentials after the same argon2id work.
// Throttling counts every attempt before its password is checked, in one
// atomic statement per counter of the shared login_throttle table, so that
// guesses sent in parallel or to several instances are all counted; it
// answers a *ThrottledError (errors.Is ErrThrottled) for unknown emails
// exactly as for known ones, so it reveals nothing either. A browser whose
// device cookie vouches for an email (Device) counts on a counter of its
// own, so that nobody can lock a person out of their usual browser.
//
// Package account imports db and audit only; it knows nothing of HTTP,
// OAuth or rights (the creator of an account wires rights in through
// Options.OnOwnerCreated, the caches of who is active through
// Options.OnMemberStatus, and the revocation of a person's OAuth tokens on a
// password change through Options.Tokens).
package account

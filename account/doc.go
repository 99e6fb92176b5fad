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
// A browser session has a public id, its sid (random, unrelated to the
// cookie), and session_clients records the clients it signed into. When
// sessions end one by one (sign-out, a password change ending the others,
// an administrator ending one), Options.Sessions hears of each, with its
// clients, in the transaction that ends it, so that those clients receive
// a back-channel logout token.
//
// Second factors (member_totp, admin_totp and their recovery codes): a
// TOTP authenticator whose secret is sealed (Options.Sealer) and whose
// codes pass once each (the last step used is advanced by a conditional
// update), and ten single-use recovery codes kept as SHA-256. The second
// step of sign-in is throttled like passwords, on a counter of its own
// per person and on the client address's. Functions taking a member ID
// also take a platform administrator's (a_…).
//
// Security notices: every change to the security of a person's access (a
// password changed, a second factor added or removed, a recovery code used,
// new recovery codes) calls Options.Notifier with a Notice inside the
// transaction of the change; an error rolls the change back. Code adding a
// factor of another kind calls NotifyFactorChange the same way. Notices are
// written in the language WithLang put in the request's context.
//
// Package account imports db and audit only (and pquerna/otp); it knows nothing of HTTP,
// OAuth or rights (the creator of an account wires rights in through
// Options.OnOwnerCreated, the caches of who is active through
// Options.OnMemberStatus, the revocation of a person's OAuth tokens on a
// password change through Options.Tokens, the news of ended sessions
// through Options.Sessions, and security notices through Options.Notifier).
package account

// Package events tells the products (OAuth clients) what changed at Sésame,
// within a second and durably:
//
//   - a browser session ended, or a person was signed out everywhere: an
//     OpenID Connect Back-Channel Logout 1.0 logout token, POSTed as the
//     form field logout_token to the client's backchannel_logout_uri;
//   - a person's rights changed: a Security Event Token (RFC 8417) holding
//     the CAEP event token-claims-change with the full new list of rights,
//     pushed as in RFC 8935 to the client's events_uri.
//
// The code that ends a session or changes rights calls SessionEnded,
// SignedOutEverywhere or RightsChanged inside its own transaction: one row
// per client is written to event_deliveries, so an event exists if and only
// if the change committed. The row keeps the claims (kind, subject, sid,
// account, time of the change) and a jti; the token is signed at each
// attempt with the same jti, so that a receiver recognises a repeat, and
// a fresh exp; a logout token's iat stays the time of the change, since a
// receiver ends what was issued until then. The
// rights of a token-claims-change are read, from the database, when the
// token is signed: a retry never carries rights older than a later change.
//
// Run delivers, in every instance: rows are claimed with a lease naming the
// instance (package lease), so two workers never hold one row; the
// workers of every instance are woken when the transaction that wrote rows
// commits (AfterCommit here, LISTEN/NOTIFY on channel sesame_events for the
// others on PostgreSQL), and poll every PollInterval (500 ms) for retries
// and for rows whose notification was missed. A 2xx answer delivers; a 400 is the receiver refusing the token
// for good (failed, not retried); anything else (5xx, 408, 429, a network
// error, a timeout of 10 s) is retried with exponential backoff: 5 s, then
// doubling up to 5 min, until an hour after the change (the retry window,
// 18 attempts), after which the row is failed. While a product fails, its
// other waiting tokens wait for the same next attempt (one timeout per
// step, not one per token, and no other product held up); its first
// success makes them all due at once. Delivery is at least once;
// receivers deduplicate by jti.
//
// Package events imports db and internal/lease only (and lib/pq to listen); the client registry,
// the signing keys, the sessions and the rights are passed in (Options).
package events

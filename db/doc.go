// Package db opens Sésame's database (PostgreSQL through lib/pq, or the
// embedded SQLite of modernc.org/sqlite), applies the embedded migrations and
// runs transactions.
//
// All SQL in Sésame is written with '?' placeholders and passed through
// DB.Rebind, so that one piece of code serves both dialects. Timestamps are
// stored in UTC.
//
// A Follower keeps an in-process cache in step with the other instances
// through PostgreSQL LISTEN/NOTIFY, and says when the cache must not be
// trusted (its connection lost, changes perhaps missed).
//
// Package db imports nothing of Sésame but the migrations it embeds; every
// other package may import it.
package db

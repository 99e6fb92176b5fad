package rbac

import (
	"context"
	"fmt"

	"github.com/sesame-idp/sesame/db"
)

// notifyChannel is the PostgreSQL channel on which writers announce the
// account whose rules changed; the payload "*" means every account.
const notifyChannel = "sesame_rbac"

// changed drops the local enforcer of accountID now and again once ctx's
// transaction commits (a reader may have reloaded the old rules in
// between), and, on PostgreSQL, queues a notification in that transaction:
// every instance (this one included) hears it when the transaction commits.
func (s *Service) changed(ctx context.Context, accountID string) error {
	s.Invalidate(accountID)
	s.d.AfterCommit(ctx, func() { s.Invalidate(accountID) })
	if s.d.Dialect != db.Postgres {
		return nil
	}
	if _, err := s.d.ExecContext(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, accountID); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// Watch keeps the cached enforcers in step with the other instances until
// ctx ends: it listens on PostgreSQL for changed accounts and drops their
// enforcers, and drops them all when it starts listening and after every
// reconnection (changes may have been missed meanwhile). From the moment
// its connection is lost until it is back and the cache dropped, the cache
// is not used: every check reads the rules from the database, and fails if
// the database is down. On SQLite, where there is a single instance, it
// only waits for ctx. Run it once per Service, in its own goroutine; it
// returns nil when ctx ends.
func (s *Service) Watch(ctx context.Context) error {
	return s.follow.Run(ctx, s.d)
}

// heard handles one notification: an account whose rules changed, or "*".
func (s *Service) heard(payload string) {
	s.stats.notified()
	if payload == "*" {
		s.invalidateAll()
		return
	}
	s.Invalidate(payload)
}

// resynced handles the follower's resync, when it starts listening and
// after every reconnection: it counts as a notification in CacheStats
// (the listener is known to be live), then drops every enforcer.
func (s *Service) resynced() {
	s.stats.notified()
	s.invalidateAll()
}

// cacheTrusted reports whether no notification can have been missed
// since the cache was last dropped: always without Watch; with Watch, while
// its connection is up and was resynced after its last loss.
func (s *Service) cacheTrusted() bool { return s.follow.Trusted() }

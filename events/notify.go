package events

import (
	"context"
	"fmt"

	"github.com/sesame-idp/sesame/db"
)

// notifyChannel is the PostgreSQL channel on which a transaction that
// wrote deliveries wakes every instance's workers when it commits.
const notifyChannel = "sesame_events"

// notify queues, in ctx's transaction, the wake-up of every instance
// (PostgreSQL only; a single SQLite instance is woken by AfterCommit).
func (s *Service) notify(ctx context.Context) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `SELECT pg_notify($1, '')`, notifyChannel); err != nil {
		return fmt.Errorf("events: notify: %w", err)
	}
	return nil
}

// listen kicks this instance's workers whenever another instance commits
// deliveries, until ctx ends; after every (re)connection too, since
// notifications may have been missed meanwhile (db.Follower logs the
// disconnections). Without it (SQLite, or the listener down) the poll
// still finds the rows.
func (s *Service) listen(ctx context.Context) {
	kick := func() { s.Kick() }
	f := &db.Follower{
		Channel: notifyChannel,
		What:    "events: delivery listener",
		Log:     s.log,
		Resync:  kick,
		Notify:  func(string) { kick() },
	}
	if err := f.Run(ctx, s.db); err != nil {
		s.log.Warn("events: listen", "err", err)
	}
}

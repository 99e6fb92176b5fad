package events

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

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
// deliveries, until ctx ends; after a reconnection too, since
// notifications may have been missed. Without it (SQLite, or the listener
// down) the poll still finds the rows.
func (s *Service) listen(ctx context.Context) {
	if s.db.Dialect != db.Postgres || s.db.URL == "" {
		return
	}
	l := pq.NewListener(s.db.URL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if ev == pq.ListenerEventConnectionAttemptFailed {
			s.log.Warn("events: listener cannot connect; deliveries of other instances wait for the poll", "err", err)
		}
	})
	defer l.Close()
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	if err := l.Listen(notifyChannel); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("events: listen", "err", err)
		}
		return
	}
	ping := time.NewTicker(time.Minute)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.Notify:
			s.Kick()
		case <-ping.C:
			_ = l.Ping()
		}
	}
}

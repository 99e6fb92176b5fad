package rbac

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

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
	if s.d.Dialect != db.Postgres || s.d.URL == "" {
		s.markListening()
		<-ctx.Done()
		return nil
	}
	first := s.cut() // nothing is heard until the listener is connected
	l := pq.NewListener(s.d.URL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			s.cut()
			s.log.Error("rbac: policy listener disconnected; checks read the database until it is back", "err", err)
		case pq.ListenerEventReconnected:
			// Sent before the nil notification that Watch answers with
			// a resync.
			s.pending.Store(s.cuts.Load())
			s.log.Info("rbac: policy listener reconnected")
		case pq.ListenerEventConnectionAttemptFailed:
			s.log.Warn("rbac: policy listener cannot connect", "err", err)
		}
	})
	defer l.Close()
	// Listen blocks until connected: closing the listener unblocks it.
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	if err := l.Listen(notifyChannel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("rbac: listen on %s: %w", notifyChannel, err)
	}
	s.invalidateAll() // whatever was loaded before we listened may be stale
	s.synced.Store(first)
	s.markListening()

	ping := time.NewTicker(time.Minute)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			s.stats.notified()
			switch {
			case n == nil: // reconnected: notifications may have been lost
				s.invalidateAll()
				s.synced.Store(s.pending.Load())
			case n.Extra == "*":
				s.invalidateAll()
			default:
				s.Invalidate(n.Extra)
			}
		case <-ping.C:
			// A dead connection is noticed, and reconnected, on use.
			_ = l.Ping()
		}
	}
}

// cut records that notifications may be missed from now on: the cache is
// no longer trusted. It returns the new count of cuts.
func (s *Service) cut() uint64 { return s.cuts.Add(1) }

// cacheTrusted reports whether no notification can have been missed
// since the cache was last dropped: always without Watch; with Watch, while
// its connection is up and was resynced after its last loss.
func (s *Service) cacheTrusted() bool { return s.cuts.Load() == s.synced.Load() }

// markListening records that Watch is up (tests wait for it).
func (s *Service) markListening() { s.listenOne.Do(func() { close(s.listening) }) }

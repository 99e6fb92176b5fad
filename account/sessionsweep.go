package account

import (
	"context"
	"errors"
	"fmt"
)

// SweepBatch is how many timed-out sessions one query of
// EndTimedOutSessions selects at most.
const SweepBatch = 100

// timedOut is the condition of a browser session past its lifetime or
// idle for longer than Options.SessionIdle, with its two arguments: now and
// the idle cut-off. Both columns are indexed.
const timedOut = `(expires_at <= ? OR last_used_at <= ?)`

// EndTimedOutSessions ends the sessions that are past their lifetime or
// idle timeout, each as a sign-out does: in its own transaction, the
// products it signed into are told (Options.Sessions). It selects them a
// batch at a time until a batch comes back short, and returns how many it
// ended. Each instance runs it every few seconds; a session that another
// instance is ending at the same moment is skipped (on PostgreSQL without
// waiting for its lock), so that a product hears of each end once.
func (s *Service) EndTimedOutSessions(ctx context.Context) (int, error) {
	total := 0
	for {
		ended, selected, err := s.endTimedOutBatch(ctx)
		total += ended
		if err != nil {
			return total, err
		}
		// A short batch is the last one. A full batch of which this
		// instance ended none was being ended by others, who go on: the
		// next sweep takes what they leave, rather than this one spinning
		// on rows locked by a long transaction.
		if selected < s.sweepBatch || ended == 0 {
			return total, nil
		}
	}
}

// endTimedOutBatch ends up to s.sweepBatch timed-out sessions. It returns
// how many it ended and how many the query selected (skipped ones
// included).
func (s *Service) endTimedOutBatch(ctx context.Context) (ended, selected int, err error) {
	now := s.now()
	cutoff := now.Add(-s.sessionIdle)
	var ids []string
	// No ORDER BY: either index answers its half of the condition (a
	// multi-index OR on SQLite, a BitmapOr on PostgreSQL) without a scan.
	if err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT id_hash FROM browser_sessions WHERE `+timedOut+`
		LIMIT ?`), now, cutoff, s.sweepBatch); err != nil {
		return 0, 0, fmt.Errorf("account: find timed-out sessions: %w", err)
	}
	for _, id := range ids {
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			// The condition is checked again as the row is locked; a row
			// locked by another transaction (another instance ending it, a
			// sign-out) is skipped, not waited on.
			return s.endSessionsSkipLocked(ctx, `id_hash = ? AND `+timedOut, id, now, cutoff)
		})
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return ended, len(ids), fmt.Errorf("account: end a timed-out session: %w", err)
		default:
			ended++
		}
	}
	return ended, len(ids), nil
}

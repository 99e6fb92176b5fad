package account

import (
	"context"
	"errors"
	"fmt"
)

// SweepBatch is how many timed-out sessions one pass of
// EndTimedOutSessions ends at most.
const SweepBatch = 100

// timedOut is the condition of a browser session past its lifetime or
// idle for longer than Options.SessionIdle, with its two arguments: now and
// the idle cut-off. Both columns are indexed.
const timedOut = `(expires_at <= ? OR last_used_at <= ?)`

// EndTimedOutSessions ends up to SweepBatch sessions that are past their
// lifetime or idle timeout, each as a sign-out does: in its own
// transaction, the products it signed into are told (Options.Sessions).
// It returns how many it ended. Each instance runs it every few seconds;
// a session ended by another instance at the same moment is skipped, so
// that a product hears of each end once.
func (s *Service) EndTimedOutSessions(ctx context.Context) (int, error) {
	now := s.now()
	cutoff := now.Add(-s.sessionIdle)
	var ids []string
	// No ORDER BY: either index answers its half of the condition (a
	// multi-index OR on SQLite, a BitmapOr on PostgreSQL) without a scan.
	if err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT id_hash FROM browser_sessions WHERE `+timedOut+`
		LIMIT ?`), now, cutoff, SweepBatch); err != nil {
		return 0, fmt.Errorf("account: find timed-out sessions: %w", err)
	}
	ended := 0
	for _, id := range ids {
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			// The condition is checked again as the row is locked.
			return s.endSessions(ctx, `id_hash = ? AND `+timedOut, id, now, cutoff)
		})
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return ended, fmt.Errorf("account: end a timed-out session: %w", err)
		default:
			ended++
		}
	}
	return ended, nil
}

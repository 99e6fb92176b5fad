package events

import (
	"context"
	"fmt"

	"github.com/sesame-idp/sesame/internal/lease"
)

// Backlog is what waits in the deliveries of one kind, for monitoring
// and operators: Pending (due, being sent or failing), Failing (pending
// whose last attempt failed), Oldest (creation of the oldest pending
// delivery; zero when none), Failed (failed for good, not yet purged).
type Backlog = lease.Backlog

// Backlog counts the pending, failing and failed deliveries of kind and
// finds the oldest pending one.
func (s *Service) Backlog(ctx context.Context, kind Kind) (Backlog, error) {
	return s.queue.Backlog(ctx, "kind = ?", string(kind))
}

// List returns the pending deliveries of kind (every kept one with all),
// newest first, at most limit (1 to 500, default 100).
func (s *Service) List(ctx context.Context, kind Kind, all bool, limit int) ([]Delivery, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT ` + deliveryColumns + ` FROM event_deliveries WHERE kind = ?`
	if !all {
		q += ` AND delivered_at IS NULL AND failed_at IS NULL`
	}
	var rows []deliveryRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q+` ORDER BY id DESC LIMIT ?`), string(kind), limit); err != nil {
		return nil, fmt.Errorf("events: list deliveries: %w", err)
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, nil
}

// RetryNow makes pending deliveries of kind due at once, ending their
// backoff: those of ids, or every pending one when ids is empty. A delivery
// being made is left to its worker; delivered and failed ones are not
// retried. It returns how many it made due and wakes the instances
// (through PostgreSQL, or this one's loop).
func (s *Service) RetryNow(ctx context.Context, kind Kind, ids []int64) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = s.queue.DueNow(ctx, s.now(), ids, "kind = ?", string(kind)); err != nil || n == 0 {
			return err
		}
		s.db.AfterCommit(ctx, s.Kick)
		return s.notify(ctx)
	})
	return n, err
}

package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Backlog is what waits in the deliveries of one kind, for monitoring and
// operators.
type Backlog struct {
	Pending int       // still to deliver: due, being sent or failing
	Failing int       // pending whose last attempt failed
	Oldest  time.Time // creation of the oldest pending delivery; zero when none
	Failed  int       // failed for good and not yet purged
}

// Backlog counts the pending, failing and failed deliveries of kind and
// finds the oldest pending one.
func (s *Service) Backlog(ctx context.Context, kind Kind) (Backlog, error) {
	var r struct {
		Pending int `db:"pending"`
		Failing int `db:"failing"`
		Failed  int `db:"failed"`
	}
	err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT
		COUNT(CASE WHEN delivered_at IS NULL AND failed_at IS NULL THEN 1 END) AS pending,
		COUNT(CASE WHEN delivered_at IS NULL AND failed_at IS NULL AND last_error <> '' THEN 1 END) AS failing,
		COUNT(CASE WHEN failed_at IS NOT NULL THEN 1 END) AS failed
		FROM event_deliveries WHERE kind = ?`), string(kind))
	if err != nil {
		return Backlog{}, fmt.Errorf("events: backlog: %w", err)
	}
	b := Backlog{Pending: r.Pending, Failing: r.Failing, Failed: r.Failed}
	if b.Pending == 0 {
		return b, nil
	}
	// A plain column, not MIN(): SQLite gives an aggregate no type.
	var oldest sql.NullTime
	err = s.db.GetContext(ctx, &oldest, s.db.Rebind(`SELECT created_at FROM event_deliveries
		WHERE kind = ? AND delivered_at IS NULL AND failed_at IS NULL ORDER BY created_at LIMIT 1`), string(kind))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Backlog{}, fmt.Errorf("events: backlog: %w", err)
	}
	if oldest.Valid {
		b.Oldest = oldest.Time.UTC()
	}
	return b, nil
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
		now := s.now()
		q := `UPDATE event_deliveries SET next_attempt_at = ?
			WHERE kind = ? AND delivered_at IS NULL AND failed_at IS NULL AND (locked_until IS NULL OR locked_until <= ?)`
		args := []any{now, string(kind), now}
		if len(ids) > 0 {
			q += " AND id IN (?" + strings.Repeat(",?", len(ids)-1) + ")"
			for _, id := range ids {
				args = append(args, id)
			}
		}
		res, err := s.db.ExecContext(ctx, s.db.Rebind(q), args...)
		if err != nil {
			return fmt.Errorf("events: retry: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		s.db.AfterCommit(ctx, s.Kick)
		return s.notify(ctx)
	})
	return n, err
}

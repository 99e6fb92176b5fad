package lease

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Backlog is what waits in a queue, for monitoring and operators.
type Backlog struct {
	Pending int       // open rows: due, being delivered or failing
	Failing int       // open rows whose last attempt failed (last_error set)
	Oldest  time.Time // creation of the oldest open row; zero when none
	Failed  int       // rows given up (failed_at set), not yet purged
}

// Backlog counts the open, failing and failed rows of the queue among
// those matching the SQL condition where ("" for all, args for its
// placeholders), and finds the oldest open one. The table has the columns
// last_error, failed_at and created_at.
func (q Queue) Backlog(ctx context.Context, where string, args ...any) (Backlog, error) {
	and := ""
	if where != "" {
		and = " AND " + where
	}
	var r struct {
		Pending int `db:"pending"`
		Failing int `db:"failing"`
		Failed  int `db:"failed"`
	}
	err := q.DB.GetContext(ctx, &r, q.DB.Rebind(`SELECT
		COUNT(CASE WHEN `+q.Open+` THEN 1 END) AS pending,
		COUNT(CASE WHEN `+q.Open+` AND last_error <> '' THEN 1 END) AS failing,
		COUNT(CASE WHEN failed_at IS NOT NULL THEN 1 END) AS failed
		FROM `+q.Table+` WHERE 1 = 1`+and), args...)
	if err != nil {
		return Backlog{}, fmt.Errorf("%s: backlog: %w", q.Table, err)
	}
	b := Backlog{Pending: r.Pending, Failing: r.Failing, Failed: r.Failed}
	if b.Pending == 0 {
		return b, nil
	}
	// A plain column, not MIN(): SQLite gives an aggregate no type, and it
	// would come back as text.
	var oldest sql.NullTime
	err = q.DB.GetContext(ctx, &oldest, q.DB.Rebind(`SELECT created_at FROM `+q.Table+`
		WHERE `+q.Open+and+` ORDER BY created_at LIMIT 1`), args...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Backlog{}, fmt.Errorf("%s: backlog: %w", q.Table, err)
	}
	if oldest.Valid {
		b.Oldest = oldest.Time.UTC()
	}
	return b, nil
}

// DueNow makes the open rows that no live lease holds due at now, ending
// their backoff: those of ids, or all when ids is empty, among the rows
// matching where ("" for all, args for its placeholders). It returns how
// many it made due.
func (q Queue) DueNow(ctx context.Context, now time.Time, ids []int64, where string, args ...any) (int64, error) {
	s := `UPDATE ` + q.Table + ` SET next_attempt_at = ?
		WHERE ` + q.Open + ` AND (locked_until IS NULL OR locked_until <= ?)`
	all := append([]any{now, now}, args...)
	if where != "" {
		s += " AND " + where
	}
	if len(ids) > 0 {
		s += " AND id IN (?" + strings.Repeat(",?", len(ids)-1) + ")"
		for _, id := range ids {
			all = append(all, id)
		}
	}
	res, err := q.DB.ExecContext(ctx, q.DB.Rebind(s), all...)
	if err != nil {
		return 0, fmt.Errorf("%s: retry: %w", q.Table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("%s: retry: %w", q.Table, err)
	}
	return n, nil
}

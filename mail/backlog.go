package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Backlog is what waits in the outbox, for monitoring and operators.
type Backlog struct {
	Pending int       // queued, being sent or failing
	Failing int       // pending whose last attempt failed
	Oldest  time.Time // creation of the oldest pending message; zero when none
	Failed  int       // abandoned and not yet purged
}

// Backlog counts the pending, failing and abandoned messages and finds
// the oldest pending one, in one query.
func (o *Outbox) Backlog(ctx context.Context) (Backlog, error) {
	var r struct {
		Pending int `db:"pending"`
		Failing int `db:"failing"`
		Failed  int `db:"failed"`
	}
	err := o.db.GetContext(ctx, &r, `SELECT
		COUNT(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 END) AS pending,
		COUNT(CASE WHEN sent_at IS NULL AND failed_at IS NULL AND last_error <> '' THEN 1 END) AS failing,
		COUNT(CASE WHEN failed_at IS NOT NULL THEN 1 END) AS failed
		FROM mail_outbox`)
	if err != nil {
		return Backlog{}, fmt.Errorf("mail: backlog: %w", err)
	}
	b := Backlog{Pending: r.Pending, Failing: r.Failing, Failed: r.Failed}
	if b.Pending == 0 {
		return b, nil
	}
	// A plain column, not MIN(): SQLite gives an aggregate no type, and it
	// would come back as text.
	var oldest sql.NullTime
	err = o.db.GetContext(ctx, &oldest, `SELECT created_at FROM mail_outbox
		WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY created_at LIMIT 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Backlog{}, fmt.Errorf("mail: backlog: %w", err)
	}
	if oldest.Valid {
		b.Oldest = oldest.Time.UTC()
	}
	return b, nil
}

package mail

import (
	"context"
	"database/sql"
	"fmt"
)

// List returns the messages of the outbox, newest first, at most limit:
// the pending ones (queued, being sent, failing) only, or all that are
// still kept when all is set. Bodies are not read.
func (o *Outbox) List(ctx context.Context, all bool, limit int) ([]Delivery, error) {
	where := "WHERE sent_at IS NULL AND failed_at IS NULL"
	if all {
		where = ""
	}
	var rows []deliveryRow
	err := o.db.SelectContext(ctx, &rows, o.db.Rebind(`SELECT `+deliveryColumns+`
		FROM mail_outbox `+where+` ORDER BY id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("mail: list: %w", err)
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = o.delivery(r)
	}
	return out, nil
}

// state is where a message stands, from its columns.
func (o *Outbox) state(sent, failed bool, lockedUntil sql.NullTime, lastError string) State {
	switch {
	case sent:
		return StateSent
	case failed:
		return StateFailed
	case lockedUntil.Valid && lockedUntil.Time.After(o.now()):
		return StateSending
	case lastError != "":
		return StateFailing
	}
	return StateQueued
}

// RetryNow makes pending messages due at once, ending their backoff: the
// messages of ids, or every pending one when ids is empty. A message being
// sent is left to its worker; sent and abandoned messages cannot be
// retried (their bodies are gone). It returns how many it made due; the
// instances' delivery loops pick them up within their poll interval.
func (o *Outbox) RetryNow(ctx context.Context, ids []int64) (int64, error) {
	n, err := o.queue().DueNow(ctx, o.now(), ids, "")
	if err != nil {
		return 0, err
	}
	o.Kick()
	return n, nil
}

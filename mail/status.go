package mail

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// State is where a message stands in the outbox.
type State string

// The states of a message.
const (
	// StateQueued: not tried yet.
	StateQueued State = "queued"
	// StateSending: a worker holds it and is sending it now.
	StateSending State = "sending"
	// StateFailing: the last attempt failed; another will follow.
	StateFailing State = "failing"
	// StateSent: the SMTP server accepted it.
	StateSent State = "sent"
	// StateFailed: abandoned, refused for good or out of attempts.
	StateFailed State = "failed"
)

// Delivery tells what became of an enqueued message.
type Delivery struct {
	ID        int64
	To        string
	Subject   string
	State     State
	Attempts  int
	LastError string // the error of the last failed attempt, if any
	CreatedAt time.Time
	// NextAttemptAt is when the message is (or was) due; meaningful in
	// StateQueued and StateFailing.
	NextAttemptAt time.Time
	SentAt        time.Time // zero unless StateSent
	FailedAt      time.Time // zero unless StateFailed
}

// Status returns the delivery of message id; an unknown id gives an error
// matching db.ErrNotFound.
func (o *Outbox) Status(ctx context.Context, id int64) (Delivery, error) {
	var r deliveryRow
	err := o.db.GetContext(ctx, &r, o.db.Rebind(`SELECT `+deliveryColumns+` FROM mail_outbox WHERE id = ?`), id)
	if err != nil {
		return Delivery{}, fmt.Errorf("mail: status of %d: %w", id, db.Translate(err))
	}
	return o.delivery(r), nil
}

// deliveryColumns are the columns of a deliveryRow.
const deliveryColumns = `id, recipient, subject, attempts, last_error,
	created_at, next_attempt_at, locked_until, sent_at, failed_at`

// deliveryRow is a message of the outbox without its bodies.
type deliveryRow struct {
	ID            int64        `db:"id"`
	To            string       `db:"recipient"`
	Subject       string       `db:"subject"`
	Attempts      int          `db:"attempts"`
	LastError     string       `db:"last_error"`
	CreatedAt     time.Time    `db:"created_at"`
	NextAttemptAt time.Time    `db:"next_attempt_at"`
	LockedUntil   sql.NullTime `db:"locked_until"`
	SentAt        sql.NullTime `db:"sent_at"`
	FailedAt      sql.NullTime `db:"failed_at"`
}

func (o *Outbox) delivery(r deliveryRow) Delivery {
	return Delivery{
		ID: r.ID, To: r.To, Subject: r.Subject, Attempts: r.Attempts, LastError: r.LastError,
		CreatedAt: r.CreatedAt.UTC(), NextAttemptAt: r.NextAttemptAt.UTC(),
		SentAt: r.SentAt.Time.UTC(), FailedAt: r.FailedAt.Time.UTC(),
		State: o.state(r.SentAt.Valid, r.FailedAt.Valid, r.LockedUntil, r.LastError),
	}
}

// Purge deletes the messages sent or abandoned before cutoff and returns
// how many it deleted. Queued and failing messages are kept.
func (o *Outbox) Purge(ctx context.Context, cutoff time.Time) (int64, error) {
	cutoff = cutoff.UTC()
	res, err := o.db.ExecContext(ctx, o.db.Rebind(`DELETE FROM mail_outbox
		WHERE (sent_at IS NOT NULL AND sent_at < ?) OR (failed_at IS NOT NULL AND failed_at < ?)`), cutoff, cutoff)
	if err != nil {
		return 0, fmt.Errorf("mail: purge: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("mail: purge: %w", err)
	}
	return n, nil
}

// Pending returns how many messages are still to be delivered: queued,
// being sent or failing. A gauge for monitoring (a count that keeps
// growing means mail is not going out); tests wait for it to reach zero.
func (o *Outbox) Pending(ctx context.Context) (int, error) {
	var n int
	err := o.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL`)
	if err != nil {
		return 0, fmt.Errorf("mail: count pending: %w", err)
	}
	return n, nil
}

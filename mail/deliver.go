package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/internal/lease"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// maxErrorLen bounds the error text kept with a message.
const maxErrorLen = 1000

// job is a claimed message: the row, and the lease that proves the claim.
type job struct {
	ID       int64  `db:"id"`
	To       string `db:"recipient"`
	Subject  string `db:"subject"`
	Text     string `db:"text_body"`
	HTML     string `db:"html_body"`
	MsgID    string `db:"message_id"`
	Attempts int    `db:"attempts"`
	lease    time.Time
}

// DeliverDue sends the messages that are due, one at a time, and returns
// how many were sent. A failed message is rescheduled (or abandoned). A
// temporary failure ends the pass: the server is probably down, and the
// other messages wait for the next pass rather than each meet the same
// refusal. A success ends the backoff of the messages waiting after a
// failure: they are due at once. When ctx ends, DeliverDue claims nothing
// more but finishes the send in progress (ShutdownGrace at most) and
// records it. The error is the database's, or ctx's when it ends.
func (o *Outbox) DeliverDue(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		j, err := o.claim(ctx)
		if errors.Is(err, db.ErrNotFound) {
			return sent, nil
		}
		if err != nil {
			return sent, err
		}
		sendErr, err := o.deliver(ctx, j)
		if sendErr == nil {
			sent++
		}
		if err != nil || (sendErr != nil && retryable(sendErr)) {
			return sent, err
		}
	}
	return sent, ctx.Err()
}

// queue is the outbox as a lease.Queue.
func (o *Outbox) queue() lease.Queue {
	return lease.Queue{DB: o.db, Table: "mail_outbox", Open: "sent_at IS NULL AND failed_at IS NULL",
		Instance: o.opts.Instance, Lease: o.opts.Lease}
}

// claim reserves the oldest due message that no live lease holds, and
// counts the attempt, in one conditional UPDATE (lease.Queue.Claim). It
// returns db.ErrNotFound when nothing is due.
func (o *Outbox) claim(ctx context.Context) (job, error) {
	var j job
	until, err := o.queue().Claim(ctx, o.now(), `id, recipient, subject, text_body, html_body, message_id, attempts`, &j)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return job{}, err
		}
		return job{}, fmt.Errorf("mail: claim: %w", err)
	}
	j.lease = until
	return j, nil
}

// deliver sends a claimed message and records the outcome. It returns the
// sender's error, nil when the message was sent, and the database's.
func (o *Outbox) deliver(ctx context.Context, j job) (sendErr, err error) {
	// A send already started is finished during shutdown: cutting it would
	// leave the server's answer unknown, the worst case for duplicates.
	// Only a send that outlasts the grace period is given up.
	detached := context.WithoutCancel(ctx)
	sendCtx, cancel := context.WithTimeout(detached, o.opts.SendTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(o.opts.ShutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-sendCtx.Done():
		}
	})
	defer stop()
	sendCtx, span := startSpan(sendCtx, "outbox deliver", trace.SpanKindInternal,
		attribute.String("outbox.kind", "mail"), attribute.Int("outbox.attempt", j.Attempts))
	defer func() { endSpan(span, sendErr) }()
	sendErr = o.sender.Send(sendCtx, Message{To: j.To, Subject: j.Subject, Text: j.Text, HTML: j.HTML, MessageID: j.MsgID})
	if o.opts.OnAttempt != nil {
		o.opts.OnAttempt(sendErr != nil)
	}
	if sendErr == nil {
		if err := o.markSent(detached, j); err != nil {
			return nil, err
		}
		return nil, o.endBackoff(detached)
	}
	// A send cut by a shutdown is due again at once, for another instance.
	return sendErr, o.markFailed(detached, j, sendErr, ctx.Err() != nil)
}

// endBackoff makes the messages waiting after a failure due now: the
// server just accepted a message, so it is probably back.
func (o *Outbox) endBackoff(ctx context.Context) error {
	now := o.now()
	res, err := o.db.ExecContext(ctx, o.db.Rebind(`UPDATE mail_outbox SET next_attempt_at = ?
		WHERE next_attempt_at > ? AND last_error <> '' AND sent_at IS NULL AND failed_at IS NULL`), now, now)
	if err != nil {
		return fmt.Errorf("mail: end the backoff: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		o.log.Info("mail: server back, retrying the waiting messages now", "messages", n)
	}
	return nil
}

// markSent records a sent message and blanks its bodies. It retries while
// the lease lasts: as long as the mark is missing the message may be sent
// again once the lease ends.
func (o *Outbox) markSent(ctx context.Context, j job) error {
	var err error
	for try, wait := 0, 200*time.Millisecond; try < 5; try, wait = try+1, wait*2 {
		if try > 0 {
			time.Sleep(wait)
		}
		now := o.now()
		_, err = o.db.ExecContext(ctx, o.db.Rebind(`UPDATE mail_outbox
			SET sent_at = ?, locked_until = NULL, locked_by = '', text_body = '', html_body = ''
			WHERE id = ? AND sent_at IS NULL`), now, j.ID)
		if err == nil {
			return nil
		}
	}
	o.log.Error("mail: message sent but not recorded as sent; it will be sent again when its lease ends",
		"id", j.ID, "to", j.To, "lease_until", j.lease, "err", err)
	return fmt.Errorf("mail: mark %d sent: %w", j.ID, err)
}

// markFailed records a failed attempt and schedules the next one (after
// the backoff, or at once when retryNow), or abandons the message. It
// changes nothing if the lease was lost to another worker in the meantime.
func (o *Outbox) markFailed(ctx context.Context, j job, sendErr error, retryNow bool) error {
	now := o.now()
	msg := sendErr.Error()
	if len(msg) > maxErrorLen {
		msg = msg[:maxErrorLen]
	}
	next := now.Add(o.backoff(j.Attempts))
	if retryNow {
		next = now
	}
	abandon := !retryable(sendErr) || j.Attempts >= o.opts.MaxAttempts
	failedAt := sql.NullTime{Time: now, Valid: abandon}
	res, err := o.db.ExecContext(ctx, o.db.Rebind(`UPDATE mail_outbox
		SET last_error = ?, next_attempt_at = ?, locked_until = NULL, locked_by = '', failed_at = ?,
			text_body = CASE WHEN ? THEN '' ELSE text_body END,
			html_body = CASE WHEN ? THEN '' ELSE html_body END
		WHERE id = ? AND locked_until = ? AND sent_at IS NULL`),
		msg, next, failedAt, abandon, abandon, j.ID, j.lease)
	if err != nil {
		return fmt.Errorf("mail: record failure of %d: %w", j.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		o.log.Warn("mail: attempt failed after its lease ended; another worker holds the message",
			"id", j.ID, "to", j.To, "err", sendErr)
		return nil
	}
	if abandon {
		o.log.Error("mail: message abandoned", "id", j.ID, "to", j.To, "attempts", j.Attempts, "err", sendErr)
	} else {
		o.log.Warn("mail: attempt failed, will retry", "id", j.ID, "to", j.To,
			"attempts", j.Attempts, "next_attempt_at", next, "err", sendErr)
	}
	return nil
}

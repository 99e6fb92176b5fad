package mail

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/internal/lease"
)

// OutboxOptions tunes an Outbox; zero values take the defaults named.
type OutboxOptions struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxAttempts is how many times a message is tried before it is
	// abandoned (default 30, about a day of outage with the default
	// backoff).
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles after each
	// further failure up to MaxBackoff (defaults 30 s and 1 h).
	Backoff, MaxBackoff time.Duration
	// PollInterval is how often Run looks for due messages without being
	// kicked: retries, and messages enqueued by other instances (default 5 s).
	PollInterval time.Duration
	// SendTimeout bounds one attempt (default 1 min).
	SendTimeout time.Duration
	// Lease is how long a claimed message stays reserved to the worker that
	// claimed it (default and minimum SendTimeout + 30 s: what a send
	// needs). Another worker takes it over only after the lease ends,
	// unless the instance that claimed it releases it first.
	Lease time.Duration
	// ShutdownGrace is how long a send in progress may go on once Run's
	// context ends (default 20 s); it is then abandoned, its outcome
	// unknown.
	ShutdownGrace time.Duration
	// Instance names this process in the leases it takes (locked_by);
	// default host/pid/random. See ReleaseClaims.
	Instance string
	// Logger receives delivery failures; nil means slog.Default().
	Logger *slog.Logger
	// OnAttempt, when set, is told of every delivery attempt and whether
	// it failed (for metrics).
	OnAttempt func(failed bool)
}

// Outbox is a transactional outbox of mail: messages written with the
// change that causes them, delivered after the commit by Run.
//
// Delivery is at least once. A worker claims a due message by setting its
// lease (locked_until) in one conditional UPDATE, so two workers, in one
// process or in several instances, never hold the same message at once;
// PostgreSQL also skips rows another claim has locked. Leases are compared
// with each instance's clock, which must agree to well within the lease.
// A failed attempt records the error and schedules the next one with
// exponential backoff (capped); nothing is lost while the SMTP server is
// down. A message the server refused for good (ErrPermanent), or that
// failed MaxAttempts times, is abandoned. The bodies of a message are
// blanked once it is sent or abandoned: they may hold a single-use link.
//
// Exactly once is out of reach with SMTP: the process may die after the
// server accepted a message and before the outbox records it, or the
// connection may drop before the server's final reply. The window is kept
// small: the sent mark is written right after the server's reply, on a
// context that a shutdown does not cancel, and retried a few times; a send
// already started is finished during shutdown (ShutdownGrace at most)
// rather than cut. Only when the mark cannot be written, or the process
// dies mid-send, does the message go out a second time; every attempt
// carries the same Message-ID, so that the copies are recognisable. A
// failure never causes an immediate second send: the next attempt waits
// for the backoff, which a success ends for every waiting message.
//
// A lease lasts what a send needs (SendTimeout + 30 s) and names its
// instance: a stopping instance releases its claims, and a starting one
// releases those of dead processes of its host (see ReleaseStale).
type Outbox struct {
	db     *db.DB
	sender Sender
	opts   OutboxOptions
	log    *slog.Logger
	wake   *lease.Waker
	host   string // right part of the Message-IDs
}

// NewOutbox returns an outbox stored in d that delivers through s.
func NewOutbox(d *db.DB, s Sender, opts OutboxOptions) *Outbox {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 30
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 30 * time.Second
	}
	if opts.MaxBackoff < opts.Backoff {
		opts.MaxBackoff = max(time.Hour, opts.Backoff)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Second
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = time.Minute
	}
	opts.Lease = max(opts.Lease, opts.SendTimeout+30*time.Second)
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 20 * time.Second
	}
	if opts.Instance == "" {
		opts.Instance = lease.Instance()
	}
	ownInstances.Store(opts.Instance, true)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Outbox{db: d, sender: s, opts: opts, log: opts.Logger, wake: lease.NewWaker(), host: instanceHost(opts.Instance)}
}

// now is the clock in UTC at the precision both engines keep.
func (o *Outbox) now() time.Time { return o.opts.Now().UTC().Truncate(time.Microsecond) }

// Enqueue stores m for delivery in the transaction ctx carries (or on its
// own) and returns its id. The message is delivered only if that
// transaction commits; the commit wakes this instance's delivery loop.
// Its Message-ID, made up here unless m has one, is the same in every
// attempt.
func (o *Outbox) Enqueue(ctx context.Context, m Message) (int64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if m.MessageID == "" {
		m.MessageID = newMessageID(o.host)
	}
	now := o.now()
	var id int64
	err := o.db.GetContext(ctx, &id, o.db.Rebind(`INSERT INTO mail_outbox
		(recipient, subject, text_body, html_body, message_id, attempts, next_attempt_at, last_error, created_at)
		VALUES (?, ?, ?, ?, ?, 0, ?, '', ?) RETURNING id`),
		m.To, m.Subject, m.Text, m.HTML, m.MessageID, now, now)
	if err != nil {
		return 0, fmt.Errorf("mail: enqueue to %s: %w", m.To, err)
	}
	o.db.AfterCommit(ctx, o.Kick)
	return id, nil
}

// Kick wakes Run at once. It never blocks; kicks that arrive while Run is
// busy are merged into one more pass.
func (o *Outbox) Kick() { o.wake.Kick() }

// Run delivers due messages until ctx ends: at start, whenever kicked and
// every PollInterval. Run as many as there are instances; the lease keeps
// them apart. At start it releases the claims of dead processes of this
// host. When ctx ends it claims nothing more, lets the send in progress
// finish (for ShutdownGrace at most) and records it, releases its claims,
// and returns.
func (o *Outbox) Run(ctx context.Context) {
	if err := o.ReleaseStale(ctx); err != nil && ctx.Err() == nil {
		o.log.Warn("mail: releasing the claims of dead processes", "err", err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := o.ReleaseClaims(rctx); err != nil {
			o.log.Warn("mail: releasing this instance's claims", "err", err)
		}
	}()
	o.wake.Loop(ctx, o.opts.PollInterval, func(ctx context.Context) {
		if _, err := o.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			o.log.Warn("mail: delivery pass failed", "err", err)
		}
	})
}

// backoff is the wait after the n-th failed attempt (n ≥ 1).
func (o *Outbox) backoff(n int) time.Duration {
	return lease.Backoff(o.opts.Backoff, o.opts.MaxBackoff, n)
}

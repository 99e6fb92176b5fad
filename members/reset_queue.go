package members

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/internal/lease"
)

// The forgotten-password form stores its request (QueueReset) and answers
// the same whoever asks, in the same time; RunResets, in every instance,
// then does the work whose duration would tell who exists. A request is
// durable before the answer: a crash, a shutdown or a database outage
// after the answer delays the mail, never loses it.
const (
	// resetLease is how long a claimed request stays reserved to its
	// worker: far more than the few queries it needs.
	resetLease = time.Minute
	// resetPoll is how often RunResets looks for requests when not kicked:
	// retries, and requests stored by other instances.
	resetPoll = 2 * time.Second
	// resetBackoff is the wait after the first failure, doubled after each
	// further one up to resetMaxBackoff.
	resetBackoff, resetMaxBackoff = 5 * time.Second, 10 * time.Minute
	// resetMaxAttempts bounds the attempts (about a day of outage); the
	// request is then dropped, logged at ERROR.
	resetMaxAttempts = 150
	// resetWorkTimeout bounds the work of one request.
	resetWorkTimeout = 30 * time.Second
	// ResetsPendingPerIP bounds the requests of one client address waiting
	// in the queue, so that an anonymous flood of the form cannot fill the
	// disk. A request past it is answered like any other and not stored:
	// the person behind the address gets at most three links an hour
	// anyway.
	ResetsPendingPerIP = 20
)

// queuedReset is a claimed request: the row, and the lease that proves
// the claim.
type queuedReset struct {
	ID          int64     `db:"id"`
	Email       string    `db:"email"`
	AccountID   string    `db:"account_id"`
	Lang        string    `db:"lang"`
	IP          string    `db:"ip"`
	RequestedAt time.Time `db:"requested_at"`
	Attempts    int       `db:"attempts"`
	lease       time.Time
}

// QueueReset stores a request of the forgotten-password form, in one
// statement, for RunResets to handle, unless ResetsPendingPerIP requests
// of the same address are already waiting. Its duration does not depend
// on who exists. An email that is not one gives an *InvalidError; any
// other error means the request was not stored.
func (s *Service) QueueReset(ctx context.Context, r ResetRequest) error {
	if _, err := account.NormalizeEmail(r.Email); err != nil {
		return invalid("email", err)
	}
	if len(r.Email) > 254 || len(r.AccountID) > 64 || len(r.IP) > 64 || len(r.Lang) > 16 {
		return invalid("email", errors.New("request fields too long"))
	}
	now := s.clock()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO password_reset_requests
		(email, account_id, lang, ip, requested_at, attempts, next_attempt_at, last_error)
		SELECT ?, ?, ?, ?, ?, 0, ?, ''
		WHERE (SELECT COUNT(*) FROM password_reset_requests WHERE ip = ?) < ?`),
		r.Email, r.AccountID, r.Lang, r.IP, now, now, r.IP, ResetsPendingPerIP)
	if err != nil {
		return fmt.Errorf("members: store password reset request: %w", err)
	}
	s.db.AfterCommit(ctx, s.kickResets)
	return nil
}

// kickResets wakes RunResets at once; it never blocks.
func (s *Service) kickResets() { s.resetWake.Kick() }

// RunResets handles the stored reset requests until ctx ends: at start,
// whenever this instance stores one, and every two seconds. Run one per
// instance; the lease keeps them apart. The request in hand when ctx ends
// is finished.
func (s *Service) RunResets(ctx context.Context, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	s.resetWake.Loop(ctx, resetPoll, func(ctx context.Context) {
		if _, err := s.ProcessResets(ctx, log); err != nil && ctx.Err() == nil {
			log.Warn("password reset requests: pass failed", "err", err)
		}
	})
}

// ProcessResets handles the due requests, one at a time, and returns how
// many it handled: for each, the person is looked up, a link written and
// its mail queued (or nothing, when nobody matches or the person had
// enough links this hour), and the request deleted, in one transaction.
// A failure reschedules the request with a backoff and ends the pass.
func (s *Service) ProcessResets(ctx context.Context, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.Default()
	}
	done := 0
	for ctx.Err() == nil {
		q, err := s.claimReset(ctx)
		if errors.Is(err, db.ErrNotFound) {
			return done, nil
		}
		if err != nil {
			return done, err
		}
		work, cancel := context.WithTimeout(context.WithoutCancel(ctx), resetWorkTimeout)
		err = s.handleReset(work, q)
		if err != nil {
			err = s.resetFailed(work, q, err, log)
		} else {
			done++
		}
		cancel()
		if err != nil {
			return done, err
		}
	}
	return done, ctx.Err()
}

// claimReset reserves the oldest due request that no live lease holds
// (lease.Queue.Claim, as every outbox of Sésame does), and counts the
// attempt; db.ErrNotFound when none is due.
func (s *Service) claimReset(ctx context.Context) (queuedReset, error) {
	var q queuedReset
	until, err := s.resetQueue().Claim(ctx, s.clock(), `id, email, account_id, lang, ip, requested_at, attempts`, &q)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return queuedReset{}, err
		}
		return queuedReset{}, fmt.Errorf("members: claim password reset request: %w", err)
	}
	q.lease = until
	return q, nil
}

// resetQueue is the table of requests: a request is deleted once handled,
// and its claim ends only with its lease.
func (s *Service) resetQueue() lease.Queue {
	return lease.Queue{DB: s.db, Table: "password_reset_requests", Open: "1 = 1", Lease: resetLease}
}

// errLeaseLost is a request another worker took over meanwhile; the work
// is rolled back.
var errLeaseLost = errors.New("members: password reset request taken over by another worker")

// handleReset does what a request asks and deletes it.
func (s *Service) handleReset(ctx context.Context, q queuedReset) error {
	r := ResetRequest{Email: q.Email, AccountID: q.AccountID, Lang: q.Lang, IP: q.IP}
	people, err := s.resetPeople(ctx, r)
	if err != nil {
		return err
	}
	remove := func(ctx context.Context) error {
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM password_reset_requests WHERE id = ? AND locked_until = ?`), q.ID, q.lease)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n != 1 {
			return errLeaseLost
		}
		return nil
	}
	if len(people) == 0 {
		return remove(ctx)
	}
	return s.sendResetLinks(ctx, people, r, remove)
}

// resetFailed reschedules a request after a failed attempt, or drops it
// after resetMaxAttempts. It returns the database's error, or the
// attempt's when it is a storage failure (the pass ends: the database is
// probably down).
func (s *Service) resetFailed(ctx context.Context, q queuedReset, cause error, log *slog.Logger) error {
	if errors.Is(cause, errLeaseLost) {
		log.Warn("password reset request: lease lost; another worker handles it", "id", q.ID)
		return nil
	}
	if q.Attempts >= resetMaxAttempts {
		log.Error("password reset request dropped after too many attempts",
			"id", q.ID, "requested_at", q.RequestedAt, "attempts", q.Attempts, "err", cause)
		_, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM password_reset_requests WHERE id = ? AND locked_until = ?`), q.ID, q.lease)
		return err
	}
	wait := lease.Backoff(resetBackoff, resetMaxBackoff, q.Attempts)
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	now := s.clock()
	log.Warn("password reset request failed, will retry", "id", q.ID, "attempts", q.Attempts, "next_attempt_at", now.Add(wait), "err", cause)
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE password_reset_requests
		SET locked_until = NULL, next_attempt_at = ?, last_error = ?
		WHERE id = ? AND locked_until = ?`), now.Add(wait), msg, q.ID, q.lease); err != nil {
		return fmt.Errorf("members: record failure of password reset request %d: %w", q.ID, err)
	}
	if db.IsStorageFailure(cause) {
		return cause
	}
	return nil
}

// PendingResets counts the stored reset requests not handled yet.
func (s *Service) PendingResets(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM password_reset_requests`); err != nil {
		return 0, fmt.Errorf("members: pending reset requests: %w", err)
	}
	return n, nil
}

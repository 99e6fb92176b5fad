package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// Instance returns a name for this process in the leases it takes:
// host/pid/random.
func Instance() string {
	host, err := os.Hostname()
	if err != nil || host == "" || strings.ContainsAny(host, "/ ") {
		host = "localhost"
	}
	b := make([]byte, 6)
	rand.Read(b)
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b)
}

// Backoff is the wait after the n-th failed attempt (n ≥ 1): first, then
// doubling, capped at most.
func Backoff(first, most time.Duration, n int) time.Duration {
	d := first
	for i := 1; i < n && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// Queue is a table of rows to deliver. Its rows have the columns id,
// attempts, next_attempt_at and locked_until, and locked_by unless
// Instance is empty.
type Queue struct {
	DB    *db.DB
	Table string
	// Open is the SQL condition of a row still to deliver, e.g.
	// "delivered_at IS NULL AND failed_at IS NULL".
	Open string
	// Instance names the claims of this process (see Instance) in the
	// column locked_by; empty for a table without it, whose claims end
	// only with their lease.
	Instance string
	// Lease is how long a claimed row stays reserved to its worker.
	Lease time.Duration
}

// Claim reserves the oldest due row that no live lease holds, counts the
// attempt, and scans the columns cols of the claimed row into dest. It
// returns the lease, which proves the claim when the outcome is recorded,
// and db.ErrNotFound when nothing is due. The conditions are repeated
// outside the sub-select: on PostgreSQL they are checked again on the row
// as the UPDATE locks it, so a row another claim took in between is left
// alone; PostgreSQL also skips rows another claim has locked.
func (q Queue) Claim(ctx context.Context, now time.Time, cols string, dest any) (time.Time, error) {
	lease := now.Add(q.Lease)
	skipLocked := ""
	if q.DB.Dialect == db.Postgres {
		skipLocked = " FOR UPDATE SKIP LOCKED"
	}
	free := q.Open + ` AND (locked_until IS NULL OR locked_until <= ?)`
	set, args := `locked_until = ?`, []any{lease}
	if q.Instance != "" {
		set, args = set+`, locked_by = ?`, append(args, q.Instance)
	}
	err := q.DB.GetContext(ctx, dest, q.DB.Rebind(`UPDATE `+q.Table+`
		SET `+set+`, attempts = attempts + 1
		WHERE id = (SELECT id FROM `+q.Table+`
			WHERE `+free+` AND next_attempt_at <= ?
			ORDER BY next_attempt_at, id LIMIT 1`+skipLocked+`)
		AND `+free+`
		RETURNING `+cols), append(args, now, now, now)...)
	if err != nil {
		if err = db.Translate(err); errors.Is(err, db.ErrNotFound) {
			return time.Time{}, err
		}
		return time.Time{}, fmt.Errorf("%s: claim: %w", q.Table, err)
	}
	return lease, nil
}

// Release frees the unfinished claims of this instance at once rather than
// at the end of their lease, and returns how many it freed. A worker calls
// it when it stops.
func (q Queue) Release(ctx context.Context) (int64, error) {
	res, err := q.DB.ExecContext(ctx, q.DB.Rebind(`UPDATE `+q.Table+` SET locked_until = NULL, locked_by = ''
		WHERE locked_by = ? AND locked_until IS NOT NULL AND `+q.Open), q.Instance)
	if err != nil {
		return 0, fmt.Errorf("%s: release the claims of %s: %w", q.Table, q.Instance, err)
	}
	return res.RowsAffected()
}

// Waker runs passes of a worker: at start, whenever kicked, and every
// poll interval.
type Waker struct {
	kick chan struct{}
}

// NewWaker returns a Waker.
func NewWaker() *Waker { return &Waker{kick: make(chan struct{}, 1)} }

// Kick wakes the loop at once. It never blocks; kicks that arrive during a
// pass are merged into one more pass.
func (w *Waker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Loop calls pass at once, then after every Kick and every poll, until ctx
// ends.
func (w *Waker) Loop(ctx context.Context, poll time.Duration, pass func(context.Context)) {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-w.kick:
		}
	}
}

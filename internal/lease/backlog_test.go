package lease_test

import (
	"context"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/internal/lease"
)

// TestBacklogAndDueNow: the backlog counts open, failing and failed rows
// of the condition given, with the oldest open one; DueNow ends the
// backoff of the open rows named (or all), not of those under a lease.
func TestBacklogAndDueNow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		id := "BIGSERIAL PRIMARY KEY"
		if d.Dialect != db.Postgres {
			id = "INTEGER PRIMARY KEY AUTOINCREMENT"
		}
		if _, err := d.ExecContext(ctx, `CREATE TABLE backlog_rows (id `+id+`, kind TEXT NOT NULL,
			next_attempt_at TIMESTAMP NOT NULL, locked_until TIMESTAMP, last_error TEXT NOT NULL DEFAULT '',
			done_at TIMESTAMP, failed_at TIMESTAMP, created_at TIMESTAMP NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		later := now.Add(time.Hour)
		for _, r := range []struct {
			kind      string
			lastError string
			locked    bool
			done      bool
			failed    bool
			age       time.Duration
		}{
			{kind: "a", age: time.Minute},
			{kind: "a", lastError: "HTTP 503", age: 3 * time.Minute},
			{kind: "a", locked: true, age: 2 * time.Minute},
			{kind: "a", done: true, age: time.Hour},
			{kind: "a", failed: true, lastError: "HTTP 400", age: time.Hour},
			{kind: "b", age: 10 * time.Minute},
		} {
			var locked, done, failed *time.Time
			if r.locked {
				locked = &later
			}
			if r.done {
				done = &now
			}
			if r.failed {
				failed = &now
			}
			if _, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO backlog_rows
				(kind, next_attempt_at, locked_until, last_error, done_at, failed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
				r.kind, later, locked, r.lastError, done, failed, now.Add(-r.age)); err != nil {
				t.Fatal(err)
			}
		}
		q := lease.Queue{DB: d, Table: "backlog_rows", Open: "done_at IS NULL AND failed_at IS NULL"}
		b, err := q.Backlog(ctx, "kind = ?", "a")
		if err != nil {
			t.Fatal(err)
		}
		if want := (lease.Backlog{Pending: 3, Failing: 1, Failed: 1, Oldest: now.Add(-3 * time.Minute)}); b != want {
			t.Fatalf("backlog of a %+v, want %+v", b, want)
		}
		if b, err := q.Backlog(ctx, ""); err != nil || b.Pending != 4 || !b.Oldest.Equal(now.Add(-10*time.Minute)) {
			t.Fatalf("backlog of all %+v (%v)", b, err)
		}
		if b, err := q.Backlog(ctx, "kind = ?", "none"); err != nil || b != (lease.Backlog{}) {
			t.Fatalf("empty backlog %+v (%v)", b, err)
		}

		if n, err := q.DueNow(ctx, now, []int64{2, 3, 4, 6}, "kind = ?", "a"); err != nil || n != 1 {
			t.Fatalf("due now of 2, 3, 4, 6 in a: %d (%v), want row 2 alone", n, err)
		}
		if n, err := q.DueNow(ctx, now, nil, ""); err != nil || n != 3 {
			t.Fatalf("due now of all: %d (%v), want rows 1, 2 and 6", n, err)
		}
	})
}

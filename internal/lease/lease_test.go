package lease_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/internal/lease"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want time.Duration
	}{
		{name: "first failure", n: 1, want: 5 * time.Second},
		{name: "doubles", n: 3, want: 20 * time.Second},
		{name: "capped", n: 8, want: 5 * time.Minute},
		{name: "stays capped", n: 100, want: 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lease.Backoff(5*time.Second, 5*time.Minute, tt.n); got != tt.want {
				t.Fatalf("Backoff(%d) = %s, want %s", tt.n, got, tt.want)
			}
		})
	}
}

func TestInstance(t *testing.T) {
	a, b := lease.Instance(), lease.Instance()
	if a == b || len(strings.Split(a, "/")) != 3 {
		t.Fatalf("instances %q and %q: want host/pid/random, distinct", a, b)
	}
}

type row struct {
	ID       int64 `db:"id"`
	Attempts int   `db:"attempts"`
}

func setup(t *testing.T, d *db.DB, rows int) {
	ctx := context.Background()
	id := "BIGSERIAL PRIMARY KEY"
	if d.Dialect != db.Postgres {
		id = "INTEGER PRIMARY KEY AUTOINCREMENT"
	}
	if _, err := d.ExecContext(ctx, `CREATE TABLE lease_rows (id `+id+`, attempts INTEGER NOT NULL DEFAULT 0,
		next_attempt_at TIMESTAMP NOT NULL, locked_until TIMESTAMP, locked_by TEXT NOT NULL DEFAULT '', done BOOLEAN NOT NULL DEFAULT FALSE)`); err != nil {
		t.Fatal(err)
	}
	for range rows {
		if _, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO lease_rows (next_attempt_at) VALUES (?)`), time.Unix(0, 0).UTC()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestClaim: concurrent claimers of two instances never hold one row at
// once; a released claim is free again, a held one only after its lease.
func TestClaim(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const rows = 40
		setup(t, d, rows)
		now := time.Now().UTC().Truncate(time.Microsecond)
		queue := func(instance string) lease.Queue {
			return lease.Queue{DB: d, Table: "lease_rows", Open: "NOT done", Instance: instance, Lease: time.Minute}
		}
		var mu sync.Mutex
		held := map[int64]string{}
		var wg sync.WaitGroup
		for _, inst := range []string{"h/1/a", "h/2/b", "h/1/a", "h/2/b"} {
			wg.Go(func() {
				q := queue(inst)
				for {
					var r row
					_, err := q.Claim(ctx, now, "id, attempts", &r)
					if errors.Is(err, db.ErrNotFound) {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if prev, ok := held[r.ID]; ok {
						t.Errorf("row %d claimed by %s and %s", r.ID, prev, inst)
					}
					held[r.ID] = inst
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(held) != rows {
			t.Fatalf("%d rows claimed, want %d", len(held), rows)
		}
		// Held: nothing is due until the lease ends.
		var r row
		if _, err := queue("h/3/c").Claim(ctx, now.Add(59*time.Second), "id", &r); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("claim under a live lease: %v", err)
		}
		inst, want := held[1], int64(0)
		for _, h := range held {
			if h == inst {
				want++
			}
		}
		n, err := queue(inst).Release(ctx)
		if err != nil || n != want {
			t.Fatalf("released %d (%v), want the %d rows of %s", n, err, want, inst)
		}
		if _, err := queue("h/3/c").Claim(ctx, now, "id, attempts", &r); err != nil || r.Attempts != 2 {
			t.Fatalf("claim of a released row: %+v, %v", r, err)
		}
		count := 0
		for {
			if _, err := queue("h/3/c").Claim(ctx, now.Add(61*time.Second), "id", &r); err != nil {
				break
			}
			count++
		}
		if count != rows {
			t.Fatalf("after the leases: %d rows claimed again, want %d", count, rows)
		}
	})
}

func TestWaker(t *testing.T) {
	w := lease.NewWaker()
	passes := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Loop(ctx, time.Hour, func(context.Context) { passes <- struct{}{} }); close(done) }()
	<-passes // at start
	w.Kick()
	w.Kick() // merged, or one more pass: never blocks
	<-passes
	cancel()
	<-done
}

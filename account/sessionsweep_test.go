package account

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// endedLog is a SessionListener that counts what it is told, per sid.
type endedLog struct {
	mu    sync.Mutex
	ended map[string][]EndedSession
}

func (l *endedLog) SessionEnded(_ context.Context, e EndedSession) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended == nil {
		l.ended = map[string][]EndedSession{}
	}
	l.ended[e.SID] = append(l.ended[e.SID], e)
	return nil
}

// TestEndTimedOutSessions: sessions past their idle timeout or lifetime
// end through the listener, each once even when two instances sweep at
// the same time; live ones stay.
func TestEndTimedOutSessions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		told := &endedLog{}
		opts := Options{SessionTTL: 3 * time.Hour, SessionIdle: time.Hour, Sessions: told}
		f := newSignInFixture(t, d, opts)
		// A second instance on the same database and clock.
		opts.Now, opts.Hasher = f.clk.Now, sharedHasher
		other := NewService(d, opts)

		create := func(memberID string) Session {
			t.Helper()
			_, sess, err := f.s.CreateSession(ctx, memberID, "", "192.0.2.1", "Mozilla/5.0")
			if err != nil {
				t.Fatal(err)
			}
			return sess
		}
		// Sessions that will go idle, some signed into products.
		const n = 40
		idle := map[string]Session{}
		withClients := map[string]bool{}
		for i := range n {
			sess := create(f.erin.ID)
			if i%2 == 0 {
				withClients[sess.SID] = true
				for _, c := range []string{"server-panel", "domain-panel"} {
					if err := f.s.RecordSessionClient(ctx, sess.SID, f.erin.ID, c); err != nil {
						t.Fatal(err)
					}
				}
			}
			idle[sess.SID] = sess
		}
		// One kept in use past the idle timeout, until its lifetime ends.
		f.clk.Advance(50 * time.Minute)
		rawUsed, used, err := f.s.CreateSession(ctx, f.alice.ID, "", "192.0.2.2", "Mozilla/5.0")
		if err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(15 * time.Minute)
		if _, err := f.s.Session(ctx, rawUsed); err != nil {
			t.Fatal(err)
		}

		// Both instances sweep at once, twice each.
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for _, s := range []*Service{f.s, other, f.s, other} {
			wg.Go(func() {
				got, err := s.EndTimedOutSessions(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += got
				mu.Unlock()
			})
		}
		wg.Wait()
		if total != n {
			t.Fatalf("ended %d sessions, want %d", total, n)
		}
		for sid := range idle {
			got := told.ended[sid]
			if len(got) != 1 || got[0].MemberID != f.erin.ID {
				t.Fatalf("session %s told %d times: %+v, want once", sid, len(got), got)
			}
			want := 0
			if withClients[sid] {
				want = 2
			}
			if c := got[0].Clients; len(c) != want || want == 2 && (c[0] != "domain-panel" || c[1] != "server-panel") {
				t.Fatalf("session %s (with clients: %v) told with clients %v", sid, withClients[sid], c)
			}
		}
		for sid, got := range told.ended {
			if _, ok := idle[sid]; !ok {
				t.Fatalf("live session %s told as ended: %+v", sid, got)
			}
		}
		if _, err := f.s.Session(ctx, rawUsed); err != nil {
			t.Fatalf("session in use ended: %v", err)
		}

		// Used all along, it still ends with its lifetime.
		for range 4 {
			f.clk.Advance(50 * time.Minute)
			f.s.Session(ctx, rawUsed)
		}
		if got, err := other.EndTimedOutSessions(ctx); err != nil || got != 1 || len(told.ended[used.SID]) != 1 {
			t.Fatalf("past its lifetime: ended %d (%v), told %+v", got, err, told.ended[used.SID])
		}
		if got, err := f.s.EndTimedOutSessions(ctx); err != nil || got != 0 {
			t.Fatalf("nothing left: ended %d (%v)", got, err)
		}
		var left int
		if err := d.GetContext(ctx, &left, `SELECT COUNT(*) FROM browser_sessions`); err != nil || left != 0 {
			t.Fatalf("%d sessions left (%v)", left, err)
		}
		// Ending an ended session again tells nobody.
		if err := f.s.DeleteSession(ctx, rawUsed); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete an ended session: %v", err)
		}
	})
}

// TestEndTimedOutSessionsBatches: one sweep ends more timed-out sessions
// than a batch holds, even when two instances sweep the same rows at once
// (rows one skips as the other holds them do not end its sweep early).
func TestEndTimedOutSessionsBatches(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		told := &endedLog{}
		opts := Options{SessionTTL: 3 * time.Hour, SessionIdle: time.Hour, Sessions: told}
		f := newSignInFixture(t, d, opts)
		opts.Now, opts.Hasher = f.clk.Now, sharedHasher
		other := NewService(d, opts)
		f.s.sweepBatch, other.sweepBatch = 5, 5

		const n = 5*4 + 3
		idle := map[string]bool{}
		for range n {
			_, sess, err := f.s.CreateSession(ctx, f.erin.ID, "", "192.0.2.1", "Mozilla/5.0")
			if err != nil {
				t.Fatal(err)
			}
			idle[sess.SID] = true
		}
		f.clk.Advance(61 * time.Minute)

		// Alone, one sweep ends them all.
		if got, err := other.EndTimedOutSessions(ctx); err != nil || got != n {
			t.Fatalf("one instance: ended %d (%v), want %d", got, err, n)
		}
		for sid := range idle {
			if len(told.ended[sid]) != 1 {
				t.Fatalf("session %s told %d times, want once", sid, len(told.ended[sid]))
			}
		}

		// Two instances at once, one sweep each: all end, each once.
		idle = map[string]bool{}
		for range n {
			_, sess, err := f.s.CreateSession(ctx, f.alice.ID, "", "192.0.2.1", "Mozilla/5.0")
			if err != nil {
				t.Fatal(err)
			}
			idle[sess.SID] = true
		}
		f.clk.Advance(61 * time.Minute)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for _, s := range []*Service{f.s, other} {
			wg.Go(func() {
				got, err := s.EndTimedOutSessions(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += got
				mu.Unlock()
			})
		}
		wg.Wait()
		var left int
		if err := d.GetContext(ctx, &left, `SELECT COUNT(*) FROM browser_sessions`); err != nil || left != 0 || total != n {
			t.Fatalf("two instances: ended %d, want %d; %d sessions left (%v)", total, n, left, err)
		}
		for sid := range idle {
			if len(told.ended[sid]) != 1 {
				t.Fatalf("session %s told %d times, want once", sid, len(told.ended[sid]))
			}
		}
	})
}

// TestEndTimedOutSessionsSkipsLocked: on PostgreSQL, the sweep passes over
// a timed-out session that another transaction holds, rather than waiting
// for it, and ends the others.
func TestEndTimedOutSessionsSkipsLocked(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if d.Dialect != db.Postgres {
			t.Skip("row locks are PostgreSQL's")
		}
		ctx := context.Background()
		told := &endedLog{}
		f := newSignInFixture(t, d, Options{SessionTTL: 3 * time.Hour, SessionIdle: time.Hour, Sessions: told})
		_, held, err := f.s.CreateSession(ctx, f.erin.ID, "", "192.0.2.1", "Mozilla/5.0")
		if err != nil {
			t.Fatal(err)
		}
		_, free, err := f.s.CreateSession(ctx, f.erin.ID, "", "192.0.2.1", "Mozilla/5.0")
		if err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(61 * time.Minute)

		txCtx, err := d.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Rollback(txCtx)
		var id string
		if err := d.GetContext(txCtx, &id, d.Rebind(`SELECT id_hash FROM browser_sessions WHERE sid = ? FOR UPDATE`), held.SID); err != nil {
			t.Fatal(err)
		}

		sweepCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if got, err := f.s.EndTimedOutSessions(sweepCtx); err != nil || got != 1 {
			t.Fatalf("ended %d (%v), want 1 without waiting for the held row", got, err)
		}
		if len(told.ended[free.SID]) != 1 || len(told.ended[held.SID]) != 0 {
			t.Fatalf("told %+v, want the free session only", told.ended)
		}
		if err := d.Rollback(txCtx); err != nil {
			t.Fatal(err)
		}
		if got, err := f.s.EndTimedOutSessions(ctx); err != nil || got != 1 || len(told.ended[held.SID]) != 1 {
			t.Fatalf("once released: ended %d (%v), told %+v", got, err, told.ended[held.SID])
		}
	})
}

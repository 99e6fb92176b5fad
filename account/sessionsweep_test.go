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
		for i := range n {
			sess := create(f.erin.ID)
			if i%2 == 0 {
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
		}
		for sid, got := range told.ended {
			if _, ok := idle[sid]; !ok {
				t.Fatalf("live session %s told as ended: %+v", sid, got)
			}
			if len(got[0].Clients) != 0 && len(got[0].Clients) != 2 {
				t.Fatalf("clients %v", got[0].Clients)
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

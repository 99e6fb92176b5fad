package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

const racers = 10

// race runs fn in racers goroutines released at once and returns their
// errors.
func race(fn func() error) []error {
	errs := make([]error, racers)
	var (
		start = make(chan struct{})
		wg    sync.WaitGroup
	)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn()
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// checkOneWinner checks that exactly one racer succeeded and that every
// other one failed with an error satisfying errors.Is(err, lost).
func checkOneWinner(t *testing.T, errs []error, lost error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, lost):
			t.Errorf("a loser got %v, want %v", err, lost)
		}
	}
	if wins != 1 {
		t.Errorf("%d of %d succeeded, want exactly 1", wins, racers)
	}
}

// inTx runs fn in a transaction of st, as fosite does.
func inTx(st *sqlstore.Store, fn func(ctx context.Context) error) error {
	txCtx, err := st.BeginTX(ctx)
	if err != nil {
		return err
	}
	if err := fn(txCtx); err != nil {
		st.Rollback(txCtx)
		return err
	}
	return st.Commit(txCtx)
}

func TestConcurrentCodeRedemption(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: concurrency test")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "alice")
		for _, code := range []string{"plain", "tx"} {
			if err := st.CreateAuthorizeCodeSession(ctx, code, req); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("plain", func(t *testing.T) {
			checkOneWinner(t, race(func() error {
				return st.InvalidateAuthorizeCodeSession(ctx, "plain")
			}), fosite.ErrInvalidatedAuthorizeCode)
		})
		t.Run("transaction", func(t *testing.T) {
			var mu sync.Mutex
			n := 0
			checkOneWinner(t, race(func() error {
				return inTx(st, func(ctx context.Context) error {
					if err := st.InvalidateAuthorizeCodeSession(ctx, "tx"); err != nil {
						return err
					}
					mu.Lock()
					n++
					sig := fmt.Sprint("at-", n)
					mu.Unlock()
					return st.CreateAccessTokenSession(ctx, sig, req)
				})
			}), fosite.ErrInvalidatedAuthorizeCode)
			var tokens int
			if err := d.GetContext(ctx, &tokens, `SELECT COUNT(*) FROM oauth_access_tokens`); err != nil {
				t.Fatal(err)
			}
			if tokens != 1 {
				t.Errorf("%d access tokens issued for one code, want 1", tokens)
			}
		})
	})
}

func TestConcurrentRefreshRotation(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: concurrency test")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "alice")
		if err := st.CreateRefreshTokenSession(ctx, "rt-0", "", req); err != nil {
			t.Fatal(err)
		}
		var (
			mu sync.Mutex
			n  int
		)
		checkOneWinner(t, race(func() error {
			return inTx(st, func(ctx context.Context) error {
				if err := st.RotateRefreshToken(ctx, "req-1", "rt-0"); err != nil {
					return err
				}
				mu.Lock()
				n++
				sig := fmt.Sprint("rt-", n)
				mu.Unlock()
				return st.CreateRefreshTokenSession(ctx, sig, "", req)
			})
		}), fosite.ErrSerializationFailure)
		var active int
		if err := d.GetContext(ctx, &active, `SELECT COUNT(*) FROM oauth_refresh_tokens WHERE active`); err != nil {
			t.Fatal(err)
		}
		if active != 1 {
			t.Errorf("%d active refresh tokens after concurrent rotations, want 1", active)
		}
	})
}

// TestRevokeSubjectDuringRefresh revokes a person while a refresh of theirs
// is in flight: the tokens that refresh issues must end up inactive too.
func TestRevokeSubjectDuringRefresh(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: concurrency test")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "alice")
		if err := st.CreateRefreshTokenSession(ctx, "rt-0", "at-0", req); err != nil {
			t.Fatal(err)
		}

		txCtx, err := st.BeginTX(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RotateRefreshToken(txCtx, "req-1", "rt-0"); err != nil {
			t.Fatal(err)
		}
		revoked := make(chan error)
		go func() { revoked <- st.RevokeSubject(ctx, "alice") }()
		waitBlocked(t, d)
		if err := st.CreateAccessTokenSession(txCtx, "at-1", req); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateRefreshTokenSession(txCtx, "rt-1", "at-1", req); err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(txCtx); err != nil {
			t.Fatal(err)
		}
		if err := <-revoked; err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetAccessTokenSession(ctx, "at-1", nil); !errors.Is(err, fosite.ErrInactiveToken) {
			t.Errorf("access token issued during the revocation: %v, want ErrInactiveToken", err)
		}
		if _, err := st.GetRefreshTokenSession(ctx, "rt-1", nil); !errors.Is(err, fosite.ErrInactiveToken) {
			t.Errorf("refresh token issued during the revocation: %v, want ErrInactiveToken", err)
		}
	})
}

// waitBlocked returns once another session of d waits for a lock that an
// open transaction holds: on PostgreSQL, RevokeSubject blocked on the rows
// the rotation locked, so that the test covers a revocation overlapping
// the refresh. On SQLite nothing needs waiting for: writers are serial,
// and RevokeSubject runs after the commit whenever it starts.
func waitBlocked(t *testing.T, d *db.DB) {
	t.Helper()
	if d.Dialect != db.Postgres {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := d.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("RevokeSubject never waited for the rotation's locks")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

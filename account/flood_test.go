package account

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// flood sends n sign-ins at once through try and tallies the answers:
// how many were checked (ErrInvalidCredentials), throttled, or let in.
type floodResult struct {
	invalid, throttled, ok int
	elapsed                time.Duration
}

func flood(t *testing.T, n int, try func(i int) error) floodResult {
	t.Helper()
	var (
		mu  sync.Mutex
		r   floodResult
		wg  sync.WaitGroup
		go1 = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-go1
			err := try(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				r.ok++
			case errors.Is(err, ErrThrottled):
				r.throttled++
			case errors.Is(err, ErrInvalidCredentials):
				r.invalid++
			default:
				t.Errorf("attempt %d: %v", i, err)
			}
		}()
	}
	start := time.Now()
	close(go1)
	wg.Wait()
	r.elapsed = time.Since(start)
	return r
}

func countFailedSignIns(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.GetContext(context.Background(), &n, d.Rebind(`SELECT COUNT(*) FROM audit_events WHERE action = ?`), audit.SignInFailed); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestParallelGuessesAreCounted sends 39 wrong guesses at once for one
// email: exactly the limit get a password check and the rest are
// throttled; the right password sent next is throttled too.
func TestParallelGuessesAreCounted(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{Throttle: ThrottleConfig{MaxPerEmail: 10, MaxPerIP: 50}})
		r := flood(t, 39, func(int) error {
			_, err := f.s.Authenticate(ctx, Credentials{Email: "alice@example.com", Password: "wrong", IP: "192.0.2.7"})
			return err
		})
		if r.invalid != 10 || r.throttled != 29 || r.ok != 0 {
			t.Fatalf("%d checked, %d throttled, %d signed in; want 10, 29, 0", r.invalid, r.throttled, r.ok)
		}
		if n := countFailedSignIns(t, d); n != 10 {
			t.Fatalf("%d failed sign-ins in the trail, want 10", n)
		}
		if _, err := f.s.Authenticate(ctx, Credentials{Email: "alice@example.com", Password: pwAlice, IP: "192.0.2.7"}); !errors.Is(err, ErrThrottled) {
			t.Fatalf("the right password after the flood: %v, want ErrThrottled", err)
		}
	})
}

// TestParallelGuessesPerIP floods from one address over many emails: at
// most MaxPerIP attempts get a password check.
func TestParallelGuessesPerIP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{Throttle: ThrottleConfig{MaxPerEmail: 10, MaxPerIP: 50}})
		r := flood(t, 120, func(i int) error {
			_, err := f.s.Authenticate(ctx, Credentials{Email: "alice@example.com", Password: "wrong", AccountID: []string{"", "id000001", "id000002", "id000003", "id000004", "id000005", "id000006", "id000007", "id000008", "id000009", "id000010", "id000011"}[i%12], IP: "192.0.2.8"})
			return err
		})
		t.Logf("120 parallel guesses over 12 scopes: %d checked, %d throttled in %v", r.invalid, r.throttled, r.elapsed)
		if r.invalid != 50 || r.throttled != 70 {
			t.Fatalf("%d checked, %d throttled; want 50, 70", r.invalid, r.throttled)
		}
	})
}

// TestParallelAdminGuessesAreCounted is TestParallelGuessesAreCounted for
// the admin sign-in.
func TestParallelAdminGuessesAreCounted(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestService(t, d, Options{Throttle: ThrottleConfig{MaxPerEmail: 10, MaxPerIP: 50}})
		const pw = "Adm1n-Pa55word!x"
		if _, err := s.CreateAdmin(ctx, "root@example.com", pw); err != nil {
			t.Fatal(err)
		}
		r := flood(t, 39, func(int) error {
			_, err := s.AuthenticateAdmin(ctx, "root@example.com", "wrong", "192.0.2.9")
			return err
		})
		if r.invalid != 10 || r.throttled != 29 || r.ok != 0 {
			t.Fatalf("%d checked, %d throttled, %d signed in; want 10, 29, 0", r.invalid, r.throttled, r.ok)
		}
		if _, err := s.AuthenticateAdmin(ctx, "root@example.com", pw, "192.0.2.9"); !errors.Is(err, ErrThrottled) {
			t.Fatalf("the right password after the flood: %v, want ErrThrottled", err)
		}
	})
}

// TestParallelGuessesOneEmail floods one email from one address with 120
// wrong guesses at once, with the production hasher: MaxPerEmail get a
// password check. (The address's own limit is raised: an attempt refused
// by it gives its place on the email's counter back, a place that a
// counter already full cannot hand on, so with both limits in play fewer
// than MaxPerEmail may be checked.)
func TestParallelGuessesOneEmail(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{Throttle: ThrottleConfig{MaxPerIP: 1000}})
		r := flood(t, 120, func(int) error {
			_, err := f.s.Authenticate(ctx, Credentials{Email: "alice@example.com", Password: "wrong", AccountID: f.a1.ID, IP: "192.0.2.10"})
			return err
		})
		t.Logf("120 parallel guesses for one email: %d checked, %d throttled in %v", r.invalid, r.throttled, r.elapsed)
		if r.invalid != 10 || r.throttled != 110 {
			t.Fatalf("%d checked, %d throttled; want 10, 110", r.invalid, r.throttled)
		}
	})
}

package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

func TestThrottlePerEmail(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		h := NewPasswordHasherCost(1, testCost)
		f := newSignInFixture(t, d, Options{Hasher: h, Throttle: ThrottleConfig{Window: 15 * time.Minute, MaxPerEmail: 3, MaxPerIP: -1}})
		good := Credentials{Email: "alice@example.com", Password: pwAlice, IP: "192.0.2.1"}
		bad := good
		bad.Password = "wrong"
		fail := func(c Credentials, want error) {
			t.Helper()
			if _, err := f.s.Authenticate(ctx, c); !errors.Is(err, want) {
				t.Fatalf("Authenticate(%s in %q) = %v, want %v", c.Email, c.AccountID, err, want)
			}
		}
		for range 3 {
			fail(bad, ErrInvalidCredentials)
		}
		fail(good, ErrThrottled) // even the right password waits for the window

		// A throttled attempt costs no hash: it answers with the hasher busy.
		if err := h.acquire(ctx); err != nil {
			t.Fatal(err)
		}
		err := whileHasherBusy(t, h, func(ctx context.Context) error {
			_, err := f.s.Authenticate(ctx, good)
			return err
		})
		h.release()
		if !errors.Is(err, ErrThrottled) {
			t.Fatalf("throttled attempt with the hasher busy = %v, want ErrThrottled without hashing", err)
		}

		// Unknown emails are throttled alike: ErrThrottled tells nothing.
		ghost := Credentials{Email: "ghost@example.com", Password: "wrong", IP: "192.0.2.1"}
		for range 3 {
			fail(ghost, ErrInvalidCredentials)
		}
		fail(ghost, ErrThrottled)
		ghostInAccount := ghost
		ghostInAccount.AccountID = "id999999"
		for range 3 {
			fail(ghostInAccount, ErrInvalidCredentials)
		}
		fail(ghostInAccount, ErrThrottled)

		// The counter is per email and scope: other people are not locked out.
		fail(Credentials{Email: "erin@example.com", Password: "wrong", AccountID: f.a1.ID, IP: "192.0.2.1"}, ErrInvalidCredentials)
		if _, err := f.s.Authenticate(ctx, Credentials{Email: "erin@example.com", Password: pwErin, AccountID: f.a1.ID}); err != nil {
			t.Fatalf("another member: %v", err)
		}

		// The window expires: no permanent lockout.
		f.clk.Advance(15*time.Minute + time.Second)
		if _, err := f.s.Authenticate(ctx, good); err != nil {
			t.Fatalf("after the window: %v", err)
		}

		// A success clears the email's counter.
		fail(bad, ErrInvalidCredentials)
		fail(bad, ErrInvalidCredentials)
		if _, err := f.s.Authenticate(ctx, good); err != nil {
			t.Fatal(err)
		}
		fail(bad, ErrInvalidCredentials)
		fail(bad, ErrInvalidCredentials)
		fail(bad, ErrInvalidCredentials)
		fail(good, ErrThrottled)

		// An owner's success also clears the counter of the sign-in with the account ID.
		f.clk.Advance(16 * time.Minute)
		withID := bad
		withID.AccountID = f.a1.ID
		fail(withID, ErrInvalidCredentials)
		fail(withID, ErrInvalidCredentials)
		if _, err := f.s.Authenticate(ctx, good); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			fail(withID, ErrInvalidCredentials)
		}
		fail(withID, ErrThrottled)
	})
}

func TestThrottlePerIP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{Throttle: ThrottleConfig{Window: 10 * time.Minute, MaxPerEmail: 100, MaxPerIP: 4}})
		try := func(email, password, ip string) error {
			_, err := f.s.Authenticate(ctx, Credentials{Email: email, Password: password, IP: ip})
			return err
		}
		for i, email := range []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com"} {
			if err := try(email, "x", "203.0.113.9"); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		if err := try("alice@example.com", pwAlice, "203.0.113.9"); !errors.Is(err, ErrThrottled) {
			t.Fatalf("fifth attempt from the address = %v, want ErrThrottled", err)
		}
		if err := try("alice@example.com", pwAlice, "203.0.113.10"); err != nil {
			t.Fatalf("from another address: %v", err)
		}
		// A success does not reset the address's counter.
		if err := try("alice@example.com", pwAlice, "203.0.113.9"); !errors.Is(err, ErrThrottled) {
			t.Fatalf("after another address's success = %v, want ErrThrottled", err)
		}

		// IPv6 addresses count per /64.
		for i, ip := range []string{"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:aaaa::3", "2001:db8:1:2:ffff:ffff:ffff:ffff"} {
			if err := try("x@example.com", "x", ip); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("IPv6 failure %d: %v", i, err)
			}
		}
		if err := try("alice@example.com", pwAlice, "2001:db8:1:2::99"); !errors.Is(err, ErrThrottled) {
			t.Fatalf("same /64 = %v, want ErrThrottled", err)
		}
		if err := try("alice@example.com", pwAlice, "2001:db8:1:3::1"); err != nil {
			t.Fatalf("next /64: %v", err)
		}

		f.clk.Advance(10 * time.Minute)
		if err := try("alice@example.com", pwAlice, "203.0.113.9"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestPurgeThrottle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{})
		count := func() int {
			var n int
			if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM login_throttle`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		f.s.Authenticate(ctx, Credentials{Email: "alice@example.com", Password: "x", IP: "192.0.2.1"})
		f.clk.Advance(10 * time.Minute)
		f.s.Authenticate(ctx, Credentials{Email: "bob@example.com", Password: "x", IP: "192.0.2.2"})
		if n := count(); n != 4 {
			t.Fatalf("%d counters, want 4", n)
		}
		f.clk.Advance(6 * time.Minute) // the first two windows have closed, not the others
		if err := f.s.PurgeExpired(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 2 {
			t.Fatalf("%d counters after purge, want 2", n)
		}
	})
}

func TestClientNetwork(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"ipv4", "192.0.2.1", "192.0.2.1"},
		{"ipv4-mapped", "::ffff:192.0.2.1", "192.0.2.1"},
		{"ipv6", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"ipv6 zone", "fe80::1%eth0", "fe80::/64"},
		{"not an address", " unknown ", "unknown"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clientNetwork(tt.in); got != tt.want {
				t.Errorf("clientNetwork(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

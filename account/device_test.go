package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// TestDeviceOutlivesALockout: someone hammering an email fills its
// counter, but the person's own browser, holding a device cookie for that
// email and scope, counts on its own counter and gets in.
func TestDeviceOutlivesALockout(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{Throttle: ThrottleConfig{MaxPerEmail: 3, MaxPerDevice: 2, MaxPerIP: 5}})
		good := Credentials{Email: "erin@example.com", Password: pwErin, AccountID: f.a1.ID, IP: "192.0.2.1"}
		try := func(c Credentials, want error) {
			t.Helper()
			if _, err := f.s.Authenticate(ctx, c); !errors.Is(err, want) {
				t.Fatalf("Authenticate(%s in %q, device %q) = %v, want %v", c.Email, c.AccountID, c.Device.ID, err, want)
			}
		}
		attacker := good
		attacker.Password, attacker.IP = "wrong", "203.0.113.66"
		for range 3 {
			try(attacker, ErrInvalidCredentials)
		}
		try(attacker, ErrThrottled)
		try(good, ErrThrottled) // from a browser without the cookie

		mine := good
		mine.Device = Device{Subject: SignInSubject(good), ID: "dev-erin"}
		try(mine, nil)
		// The device's success leaves the email's counter to run out: the
		// attacker gets no new guesses from it.
		try(attacker, ErrThrottled)

		// A cookie for another email or scope, or a forged subject, counts
		// for nothing.
		other := good
		other.Device = Device{Subject: SignInSubject(Credentials{Email: "erin@example.com"}), ID: "dev-erin"}
		try(other, ErrThrottled)
		other.Device = Device{Subject: "not a subject", ID: "dev-erin"}
		try(other, ErrThrottled)

		// The device has a limit of its own.
		wrongHere := mine
		wrongHere.Password = "wrong"
		try(wrongHere, ErrInvalidCredentials)
		try(wrongHere, ErrInvalidCredentials)
		try(mine, ErrThrottled)
		// Another device of the person still gets in.
		second := good
		second.Device = Device{Subject: SignInSubject(good), ID: "dev-erin-2"}
		try(second, nil)

		// The address's limit still applies to a device: 2 failures there
		// (the successes were taken back), then 3 more fill it.
		for range 3 {
			try(Credentials{Email: "x@example.com", Password: "wrong", IP: "192.0.2.1"}, ErrInvalidCredentials)
		}
		try(second, ErrThrottled)
	})
}

// TestClearSignInLimits: a reset (which calls ClearSignInLimits) and a
// password change lift the lock on the person's email.
func TestClearSignInLimits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{Throttle: ThrottleConfig{MaxPerEmail: 2, MaxPerIP: -1}})
		withID := Credentials{Email: "alice@example.com", Password: pwAlice, AccountID: f.a1.ID}
		withoutID := Credentials{Email: "alice@example.com", Password: pwAlice}
		lock := func(c Credentials) {
			t.Helper()
			c.Password = "wrong"
			for range 3 {
				f.s.Authenticate(ctx, c)
			}
			c.Password = pwAlice
			if _, err := f.s.Authenticate(ctx, c); !errors.Is(err, ErrThrottled) {
				t.Fatalf("locked sign-in = %v, want ErrThrottled", err)
			}
		}
		lock(withID)
		lock(withoutID)
		var te *ThrottledError
		if _, err := f.s.Authenticate(ctx, withID); !errors.As(err, &te) || te.RetryAfter != 15*time.Minute {
			t.Fatalf("locked sign-in = %#v, want a *ThrottledError retrying after 15m", err)
		}
		err := d.InTx(ctx, func(ctx context.Context) error { return f.s.ClearSignInLimits(ctx, f.alice.ID) })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Authenticate(ctx, withID); err != nil {
			t.Fatalf("with the account ID after the reset: %v", err)
		}
		if _, err := f.s.Authenticate(ctx, withoutID); err != nil {
			t.Fatalf("without the account ID after the reset: %v", err)
		}

		// A password change clears them too (the change itself counts
		// on the sign-in with the account ID, left free here).
		lock(withoutID)
		const next = "Qz8&nB3v-alice2"
		if err := f.s.ChangePassword(ctx, PasswordChange{MemberID: f.alice.ID, Current: pwAlice, New: next, Confirm: next}); err != nil {
			t.Fatal(err)
		}
		withoutID.Password = next
		if _, err := f.s.Authenticate(ctx, withoutID); err != nil {
			t.Fatalf("after a password change: %v", err)
		}
	})
}

// TestAdminDevice: the admin sign-in honours device cookies alike.
func TestAdminDevice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestService(t, d, Options{Throttle: ThrottleConfig{MaxPerEmail: 2, MaxPerIP: -1}})
		const pw = "Adm1n-Pa55word!x"
		if _, err := s.CreateAdmin(ctx, "root@example.com", pw); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			s.AuthenticateAdmin(ctx, "root@example.com", "wrong", "203.0.113.66")
		}
		if _, err := s.AuthenticateAdmin(ctx, "root@example.com", pw, "192.0.2.1"); !errors.Is(err, ErrThrottled) {
			t.Fatalf("locked admin without a device = %v, want ErrThrottled", err)
		}
		// A member's subject for the same email does not open the admin sign-in.
		member := Device{Subject: SignInSubject(Credentials{Email: "root@example.com"}), ID: "dev"}
		if _, err := s.AuthenticateAdminFrom(ctx, Credentials{Email: "root@example.com", Password: pw, Device: member}); !errors.Is(err, ErrThrottled) {
			t.Fatalf("member device on the admin sign-in = %v, want ErrThrottled", err)
		}
		dev := Device{Subject: AdminSignInSubject(" Root@Example.com"), ID: "dev"}
		if _, err := s.AuthenticateAdminFrom(ctx, Credentials{Email: "root@example.com", Password: pw, Device: dev}); err != nil {
			t.Fatalf("admin with a device: %v", err)
		}
	})
}

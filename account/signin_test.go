package account

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// Passwords of the sign-in fixture, one per person and account.
const (
	pwAlice    = "Xk7#mP2q-alice"
	pwBobIn1   = "Vb9$tR4w-one"
	pwBobIn2   = "Hq3!zN8c-two"
	pwBobOwner = "Lm5&yS1d-own"
	pwDave     = "Pw6*gK2j-dave"
	pwErin     = "Tc4%hJ7v-erin"
)

// signInFixture is three accounts: alice owns a1; bob is a login account
// of a1 and of a2 and owns a3, with a password for each; carol is invited
// to a1 (no password yet), dave is disabled in a1, erin is a login
// account of a1 only.
type signInFixture struct {
	s                 *Service
	clk               *clock
	a1, a2, a3        Account
	alice, bobOwner   Member
	bob1, bob2        Member
	carol, dave, erin Member
	ownerOfA2         Member
}

func newSignInFixture(t *testing.T, d *db.DB, opts Options) *signInFixture {
	t.Helper()
	f := &signInFixture{}
	f.s, f.clk = newTestService(t, d, opts)
	f.a1, f.alice = mustCreateAccount(t, f.s, "Acme", "alice@example.com", pwAlice)
	f.a2, f.ownerOfA2 = mustCreateAccount(t, f.s, "Globex", "gina@example.com", "Xk7#mP2q-gina")
	f.a3, f.bobOwner = mustCreateAccount(t, f.s, "Bob SARL", "bob@example.com", pwBobOwner)
	f.bob1 = mustAddMember(t, f.s, f.a1.ID, "bob@example.com", pwBobIn1, StatusActive)
	f.bob2 = mustAddMember(t, f.s, f.a2.ID, "bob@example.com", pwBobIn2, StatusActive)
	f.carol = mustAddMember(t, f.s, f.a1.ID, "carol@example.com", "", StatusInvited)
	f.dave = mustAddMember(t, f.s, f.a1.ID, "dave@example.com", pwDave, StatusDisabled)
	f.erin = mustAddMember(t, f.s, f.a1.ID, "erin@example.com", pwErin, StatusActive)
	return f
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{})
		successes := []struct {
			name string
			c    Credentials
			want Member
		}{
			{"owner without account ID", Credentials{Email: "alice@example.com", Password: pwAlice}, f.alice},
			{"owner with own account ID, sloppy case", Credentials{Email: " Alice@Example.COM", Password: pwAlice, AccountID: " " + strings.ToUpper(f.a1.ID) + " "}, f.alice},
			{"login account", Credentials{Email: "erin@example.com", Password: pwErin, AccountID: f.a1.ID}, f.erin},
			{"same email, first account", Credentials{Email: "bob@example.com", Password: pwBobIn1, AccountID: f.a1.ID}, f.bob1},
			{"same email, second account", Credentials{Email: "bob@example.com", Password: pwBobIn2, AccountID: f.a2.ID}, f.bob2},
			{"same email, owned account without ID", Credentials{Email: "bob@example.com", Password: pwBobOwner}, f.bobOwner},
			{"same email, owned account with ID", Credentials{Email: "bob@example.com", Password: pwBobOwner, AccountID: f.a3.ID}, f.bobOwner},
		}
		for _, tt := range successes {
			t.Run(tt.name, func(t *testing.T) {
				f.clk.Advance(time.Minute)
				tt.c.IP = "192.0.2.10"
				m, err := f.s.Authenticate(ctx, tt.c)
				if err != nil {
					t.Fatalf("Authenticate = %v", err)
				}
				if m.ID != tt.want.ID || m.AccountID != tt.want.AccountID || m.Role != tt.want.Role {
					t.Fatalf("Authenticate = %s in %s, want %s in %s", m.ID, m.AccountID, tt.want.ID, tt.want.AccountID)
				}
				// The password alone is no complete sign-in: a second
				// step may follow. RecordSignIn notes it once complete.
				before, _ := f.s.Member(ctx, m.ID)
				if before.LastLoginAt != nil && before.LastLoginAt.Equal(f.clk.Now()) {
					t.Fatalf("LastLoginAt set by the password alone")
				}
				if events := actions(t, d, m.AccountID); len(events) > 0 && events[len(events)-1].Action == audit.SignIn &&
					events[len(events)-1].CreatedAt.Equal(f.clk.Now()) {
					t.Fatalf("SignIn recorded at the password step: %+v", events[len(events)-1])
				}
				if err := f.s.RecordSignIn(ctx, m.ID, "", "192.0.2.10"); err != nil {
					t.Fatal(err)
				}
				if stored, _ := f.s.Member(ctx, m.ID); stored.LastLoginAt == nil || !stored.LastLoginAt.Equal(f.clk.Now()) {
					t.Fatalf("stored LastLoginAt = %v, want %v", stored.LastLoginAt, f.clk.Now())
				}
				events := actions(t, d, m.AccountID)
				last := events[len(events)-1]
				if last.Action != audit.SignIn || last.ActorID != m.ID || last.ActorEmail != m.Email || last.IP != "192.0.2.10" {
					t.Fatalf("last audit event = %+v, want SignIn by %s", last, m.ID)
				}
			})
		}

		failures := []struct {
			name        string
			c           Credentials
			auditIn     string // the trail that records the failure
			auditDetail string
		}{
			{"wrong password", Credentials{Email: "alice@example.com", Password: pwAlice + "x"}, f.a1.ID, "wrong_password"},
			{"unknown email", Credentials{Email: "nobody@example.com", Password: pwAlice}, "", "unknown_email"},
			{"malformed email", Credentials{Email: "alice@", Password: pwAlice}, "", "malformed_email"},
			{"empty everything", Credentials{}, "", "malformed_email"},
			{"unknown account ID", Credentials{Email: "alice@example.com", Password: pwAlice, AccountID: "id999999"}, "", "unknown_account"},
			{"malformed account ID", Credentials{Email: "alice@example.com", Password: pwAlice, AccountID: "acme"}, "", "malformed_account_id"},
			{"not a member of that account", Credentials{Email: "alice@example.com", Password: pwAlice, AccountID: f.a2.ID}, f.a2.ID, "unknown_email"},
			{"login account without account ID", Credentials{Email: "erin@example.com", Password: pwErin}, "", "unknown_email"},
			{"another account's password", Credentials{Email: "bob@example.com", Password: pwBobIn2, AccountID: f.a1.ID}, f.a1.ID, "wrong_password"},
			{"member password on the owner sign-in", Credentials{Email: "bob@example.com", Password: pwBobIn1}, f.a3.ID, "wrong_password"},
			{"invited, empty password", Credentials{Email: "carol@example.com", Password: "", AccountID: f.a1.ID}, f.a1.ID, "no_password"},
			{"invited, some password", Credentials{Email: "carol@example.com", Password: pwAlice, AccountID: f.a1.ID}, f.a1.ID, "no_password"},
			{"disabled, right password", Credentials{Email: "dave@example.com", Password: pwDave, AccountID: f.a1.ID}, f.a1.ID, "status_disabled"},
			{"disabled, wrong password", Credentials{Email: "dave@example.com", Password: pwAlice, AccountID: f.a1.ID}, f.a1.ID, "wrong_password"},
		}
		for _, tt := range failures {
			t.Run(tt.name, func(t *testing.T) {
				f.clk.Advance(time.Minute)
				tt.c.IP = "198.51.100.7"
				m, err := f.s.Authenticate(ctx, tt.c)
				if err != ErrInvalidCredentials { //nolint:errorlint // exactly this value, not merely one wrapping it
					t.Fatalf("Authenticate = %+v, %v; want exactly ErrInvalidCredentials", m, err)
				}
				if m != (Member{}) {
					t.Fatalf("Authenticate returned a member on failure: %+v", m)
				}
				events := actions(t, d, tt.auditIn)
				last := events[len(events)-1]
				if last.Action != audit.SignInFailed || last.Detail != tt.auditDetail || !last.CreatedAt.Equal(f.clk.Now()) || last.ActorID != "" {
					t.Fatalf("last event of trail %q = %+v, want SignInFailed %s now", tt.auditIn, last, tt.auditDetail)
				}
			})
		}
	})
}

// TestAuthenticateAlwaysHashes proves that every kind of failure costs an
// argon2id verification, the dummy one included, without timing anything:
// with every slot of the hasher taken, each attempt must queue for one.
func TestAuthenticateAlwaysHashes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		h := NewPasswordHasherCost(1, testCost)
		f := newSignInFixture(t, d, Options{Hasher: h})
		attempts := []struct {
			name string
			c    Credentials
		}{
			{"unknown email", Credentials{Email: "nobody@example.com", Password: "x"}},
			{"malformed email", Credentials{Email: "nobody", Password: "x"}},
			{"unknown account", Credentials{Email: "alice@example.com", Password: "x", AccountID: "id999999"}},
			{"malformed account ID", Credentials{Email: "alice@example.com", Password: "x", AccountID: "x"}},
			{"not a member", Credentials{Email: "alice@example.com", Password: "x", AccountID: f.a2.ID}},
			{"invited", Credentials{Email: "carol@example.com", Password: "x", AccountID: f.a1.ID}},
			{"disabled", Credentials{Email: "dave@example.com", Password: pwDave, AccountID: f.a1.ID}},
			{"wrong password", Credentials{Email: "alice@example.com", Password: "x"}},
		}
		if err := h.acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer h.release()
		for _, tt := range attempts {
			t.Run(tt.name, func(t *testing.T) {
				err := whileHasherBusy(t, h, func(ctx context.Context) error {
					_, err := f.s.Authenticate(ctx, tt.c)
					return err
				})
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Authenticate with the hasher busy = %v, want it to wait for the hasher", err)
				}
			})
		}
		err := whileHasherBusy(t, h, func(ctx context.Context) error {
			_, err := f.s.AuthenticateAdmin(ctx, "nobody@example.com", "x", "")
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("AuthenticateAdmin with the hasher busy = %v, want it to wait for the hasher", err)
		}
	})
}

// TestAuthenticateRehashes upgrades a hash made with older parameters at
// the next successful sign-in.
func TestAuthenticateRehashes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{})
		old := "$argon2id$v=19$m=8192,t=3,p=2$MDEyMzQ1Njc4OWFiY2RlZg$" // + key of pwErin below
		key, err := hashWith(pwErin, "0123456789abcdef", 3, 8192, 2, 24)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetMemberPassword(ctx, f.erin.ID, old+key); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Authenticate(ctx, Credentials{Email: "erin@example.com", Password: pwErin, AccountID: f.a1.ID}); err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := d.GetContext(ctx, &stored, d.Rebind(`SELECT password_hash FROM members WHERE id = ?`), f.erin.ID); err != nil {
			t.Fatal(err)
		}
		if !phcPatternOf(sharedHasher.Cost()).MatchString(stored) {
			t.Fatalf("hash after sign-in = %q, want the hasher's parameters", stored)
		}
		if _, err := f.s.Authenticate(ctx, Credentials{Email: "erin@example.com", Password: pwErin, AccountID: f.a1.ID}); err != nil {
			t.Fatalf("sign-in with the new hash: %v", err)
		}
	})
}

// TestAuthenticateStatusChange disables a member and enables it again.
func TestAuthenticateStatusChange(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{})
		c := Credentials{Email: "erin@example.com", Password: pwErin, AccountID: f.a1.ID}
		if err := f.s.SetMemberStatus(ctx, f.erin.ID, StatusDisabled); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Authenticate(ctx, c); err != ErrInvalidCredentials { //nolint:errorlint // exactly this value
			t.Fatalf("disabled member: %v, want ErrInvalidCredentials", err)
		}
		if err := f.s.SetMemberStatus(ctx, f.erin.ID, StatusActive); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Authenticate(ctx, c); err != nil {
			t.Fatalf("enabled again: %v", err)
		}
	})
}

func TestAuthenticateAdmin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestService(t, d, Options{})
		a, err := s.CreateAdmin(ctx, "root@example.com", "Xk7#mP2q-root")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.AuthenticateAdmin(ctx, " Root@Example.com", "Xk7#mP2q-root", "192.0.2.1"); err != nil || got != a {
			t.Fatalf("AuthenticateAdmin = %+v, %v; want %+v", got, err, a)
		}
		// Complete once the second step passed.
		if err := s.RecordSignIn(ctx, "", a.ID, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string][2]string{
			"wrong password":  {"root@example.com", "Xk7#mP2q-toor"},
			"unknown email":   {"nobody@example.com", "Xk7#mP2q-root"},
			"malformed email": {"root", "Xk7#mP2q-root"},
		} {
			t.Run(name, func(t *testing.T) {
				if _, err := s.AuthenticateAdmin(ctx, c[0], c[1], "192.0.2.1"); err != ErrInvalidCredentials { //nolint:errorlint // exactly this value
					t.Fatalf("AuthenticateAdmin = %v, want ErrInvalidCredentials", err)
				}
			})
		}
		// A member's credentials do not open the admin sign-in.
		mustCreateAccount(t, s, "Acme", "alice@example.com", pwAlice)
		if _, err := s.AuthenticateAdmin(ctx, "alice@example.com", pwAlice, ""); err != ErrInvalidCredentials { //nolint:errorlint // exactly this value
			t.Fatalf("member at the admin sign-in = %v", err)
		}
		events := actions(t, d, "")
		var ok, failed int
		for _, e := range events {
			switch e.Action {
			case audit.SignIn:
				ok++
			case audit.SignInFailed:
				failed++
			}
		}
		if ok != 1 || failed != 4 {
			t.Fatalf("platform trail: %d sign-ins, %d failures; want 1, 4", ok, failed)
		}
	})
}

package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestLastSignInAfterSecondStep: a right password followed by no second
// step changes neither the last sign-in nor the activity log's sign-ins;
// the second step passed records both.
func TestLastSignInAfterSecondStep(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *sesametest.Instance, clk *sesametest.Clock) {
		ctx := context.Background()
		w := seed(t, s)
		const email, pw = "tech@example.cm", "Technicien!2026x"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
		state := func() (time.Time, int) {
			t.Helper()
			got, err := s.Accounts.Member(ctx, m.ID)
			if err != nil || got.LastLoginAt == nil {
				t.Fatalf("member %+v (%v): want a last sign-in", got, err)
			}
			events, err := audit.New(s.DB).List(ctx, w.AccountID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range events {
				if e.Action == audit.SignIn && e.ActorID == m.ID {
					n++
				}
			}
			return *got.LastLoginAt, n
		}

		// Signed in without a second factor: recorded at once.
		b := s.NewBrowser(t)
		if p := b.SignIn("/login", email, pw, w.AccountID); p.URL.Path != "/account" {
			t.Fatalf("sign-in ended at %s", p.URL)
		}
		first, n := state()
		if first.Sub(clk.Now()).Abs() > time.Second || n != 1 {
			t.Fatalf("after a sign-in without second step: last %v (now %v), %d sign-ins", first, clk.Now(), n)
		}
		uri, _, _ := enrolTOTP(t, b, b.Get("/account/security"), clk)

		// The password, then no second step (a wrong code, then nothing).
		clk.Advance(10 * time.Minute)
		other := s.NewBrowser(t)
		p := other.SignIn("/login", email, pw, w.AccountID)
		if !strings.Contains(p.Body, `name="code"`) {
			t.Fatalf("no second step after the password: %d %s", p.Status, p.URL)
		}
		if r := other.Submit(p, "code", url.Values{"code": {"000000"}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong code: %d", r.Status)
		}
		if last, got := state(); !last.Equal(first) || got != 1 {
			t.Fatalf("password without second step: last %v (was %v), %d sign-ins, want unchanged", last, first, got)
		}

		// The second step passed.
		r := other.Submit(p, "code", url.Values{"code": {sesametest.TOTPCode(t, uri, clk.Now().Add(30*time.Second))}})
		if r.URL.Path != "/account" {
			t.Fatalf("second step: %d at %s", r.Status, r.URL)
		}
		last, got := state()
		if last.Sub(clk.Now()).Abs() > time.Second || !last.After(first.Add(9*time.Minute)) || got != 2 {
			t.Fatalf("after the second step: last %v (now %v), %d sign-ins, want now and 2", last, clk.Now(), got)
		}
	})
}

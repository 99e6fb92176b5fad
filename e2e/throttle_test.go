package e2e_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

// withDevice returns a fresh browser holding only the device cookie of b:
// the person's usual browser, signed out.
func withDevice(t *testing.T, s *sesametest.Instance, b *sesametest.Browser) *sesametest.Browser {
	t.Helper()
	u, _ := url.Parse(s.URL)
	fresh := s.NewBrowser(t)
	for _, c := range b.Client.Jar.Cookies(u) {
		if c.Name == "sesame_device" {
			fresh.Client.Jar.SetCookies(u, []*http.Cookie{c})
			return fresh
		}
	}
	t.Fatal("no device cookie after a sign-in")
	return nil
}

// TestSignInLockout: guessing a person's password fills the counter of
// their email, and the sign-in answers 429 with Retry-After, as for an
// email nobody has; the person's own browser (its device cookie) still
// gets in, and a password reset lifts the lock for every browser.
func TestSignInLockout(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		const pw, next = "Tenace#Personne2026", "Nouveau#Depart2026"
		const email = "targeted@example.cm"
		addLoginAccount(t, s, w.AccountID, email, pw, "domain:read")
		signIn := func(b *sesametest.Browser, email, password string) sesametest.Page {
			t.Helper()
			return b.Submit(b.Get("/login?tab=member"), "password", url.Values{
				"email": {email}, "password": {password}, "account_id": {w.AccountID}, "tab": {"member"}})
		}
		usual := s.NewBrowser(t)
		if p := signIn(usual, email, pw); p.URL.Path != "/account" {
			t.Fatalf("first sign-in ended at %s (%d)", p.URL, p.Status)
		}
		usual = withDevice(t, s, usual)

		lockOut := func(email string) sesametest.Page {
			t.Helper()
			attacker := s.NewBrowser(t)
			for i := range 10 {
				if p := signIn(attacker, email, "Devine#Encore"+strconv.Itoa(i)); p.Status != http.StatusUnauthorized {
					t.Fatalf("guess %d for %s: %d, want 401", i, email, p.Status)
				}
			}
			p := signIn(attacker, email, "Devine#Encore")
			if p.Status != http.StatusTooManyRequests {
				t.Fatalf("11th guess for %s: %d, want 429", email, p.Status)
			}
			secs, err := strconv.Atoi(p.Header.Get("Retry-After"))
			if err != nil || secs < 1 || secs > 900 {
				t.Fatalf("Retry-After %q, want seconds until the window closes", p.Header.Get("Retry-After"))
			}
			return p
		}
		known, unknown := lockOut(email), lockOut("nobody@example.cm")
		if errorOrNotice(known.Body) == "" || errorOrNotice(known.Body) != errorOrNotice(unknown.Body) {
			t.Fatalf("throttled pages differ: %q vs %q", errorOrNotice(known.Body), errorOrNotice(unknown.Body))
		}

		if p := signIn(s.NewBrowser(t), email, pw); p.Status != http.StatusTooManyRequests {
			t.Fatalf("right password from another browser: %d, want 429", p.Status)
		}
		if p := signIn(usual, email, pw); p.URL.Path != "/account" {
			t.Fatalf("right password from the usual browser ended at %s (%d)", p.URL, p.Status)
		}

		// A reset lifts the lock.
		b := s.NewBrowser(t)
		b.Submit(b.Get("/password-reset"), "email", url.Values{"email": {email}, "account_id": {w.AccountID}})
		link := resetLink.FindString(s.Mail.WaitFor(t, email, 10*time.Second).Text)
		if link == "" {
			t.Fatal("no reset link")
		}
		if p := b.Submit(b.Get(link), "password_confirm", url.Values{"password": {next}, "password_confirm": {next}}); p.URL.Path != "/login" {
			t.Fatalf("after reset: %s (%d)", p.URL, p.Status)
		}
		if p := signIn(s.NewBrowser(t), email, next); p.URL.Path != "/account" {
			t.Fatalf("after the reset, from another browser: %s (%d)", p.URL, p.Status)
		}
	})
}

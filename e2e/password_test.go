package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestChangePassword: a signed-in person changes their password; the
// current one is checked, the policy applies, other sessions end and the
// person's OAuth tokens are revoked, while the session kept signs the
// products in again without a password.
func TestChangePassword(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		const pw, next = "Ancien#Secret2026", "Nouveau-Secret#2027"
		addLoginAccount(t, s, w.AccountID, "change@example.cm", pw, "domain:read")
		signIn := func() *sesametest.Browser {
			b := s.NewBrowser(t)
			p := b.Submit(b.Get("/login?tab=member"), "password", url.Values{"email": {"change@example.cm"}, "password": {pw}, "account_id": {w.AccountID}, "tab": {"member"}})
			if p.URL.Path != "/account" {
				t.Fatalf("sign-in: %s", p.URL)
			}
			return b
		}
		b, other := signIn(), signIn()
		// A product holds tokens of the person, refresh token included.
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		flow := rp.Start()
		tok, err := rp.Exchange(flow, rp.Callback(flow, other.SignIn(flow.URL, "change@example.cm", pw, w.AccountID).Location))
		if err != nil || tok.RefreshToken == "" {
			t.Fatalf("tokens before the change: %v", err)
		}
		form := b.Get("/account/password")
		if form.Status != http.StatusOK || !strings.Contains(form.Body, `autocomplete="current-password"`) {
			t.Fatalf("password page: %d", form.Status)
		}
		for name, v := range map[string]url.Values{
			"wrong current": {"current_password": {"Pas#Le-Bon-2026"}, "password": {next}, "password_confirm": {next}},
			"weak":          {"current_password": {pw}, "password": {"motdepasse"}, "password_confirm": {"motdepasse"}},
			"mismatch":      {"current_password": {pw}, "password": {next}, "password_confirm": {next + "!"}},
		} {
			if p := b.Submit(form, "current_password", v); p.Status != http.StatusBadRequest {
				t.Fatalf("%s: %d, want 400", name, p.Status)
			}
		}
		p := b.Submit(form, "current_password", url.Values{"current_password": {pw}, "password": {next}, "password_confirm": {next}})
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `role="status"`) {
			t.Fatalf("change: %d %s", p.Status, p.URL)
		}
		if p := b.Get("/account"); p.URL.Path != "/account" {
			t.Fatal("the session that changed the password was signed out")
		}
		if p := other.Get("/account"); p.URL.Path != "/login" {
			t.Fatal("another session survived the password change")
		}
		if r := refresh(t, rp, tok.RefreshToken); r.code != "invalid_grant" {
			t.Fatalf("refresh token after the password change: %v", r.err)
		}
		if got := introspect(t, s, w, tok.AccessToken); got["active"] != false {
			t.Fatalf("access token after the password change: %v", got)
		}
		// The session kept signs the product in again, without a password.
		flow = rp.Start()
		if p := b.Get(flow.URL); p.Location == "" {
			t.Fatalf("silent sign-in through the session kept: %d", p.Status)
		} else if _, err := rp.Exchange(flow, rp.Callback(flow, p.Location)); err != nil {
			t.Fatalf("exchange after the password change: %v", err)
		}
		if p := s.NewBrowser(t).SignIn(rp.Start().URL, "change@example.cm", pw, w.AccountID); p.Status != http.StatusUnauthorized {
			t.Fatalf("old password still works: %d", p.Status)
		}
		if p := s.NewBrowser(t).SignIn(rp.Start().URL, "change@example.cm", next, w.AccountID); p.Location == "" {
			t.Fatalf("new password refused: %d", p.Status)
		}
	})
}

package e2e_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

var resetLink = regexp.MustCompile(`https?://[^\s"<>]+/password-reset/[A-Za-z0-9_-]+`)

// TestPasswordReset: the forgotten-password form answers the same for
// anyone; the person's link works once, sets the password, ends sessions.
func TestPasswordReset(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		const pw, next = "Oublie#Depuis2025", "Retrouve#Enfin2026"
		addLoginAccount(t, s, w.AccountID, "forgetful@example.cm", pw, "domain:read")
		old := s.NewBrowser(t)
		old.Submit(old.Get("/login?tab=member"), "password", url.Values{"email": {"forgetful@example.cm"}, "password": {pw}, "account_id": {w.AccountID}, "tab": {"member"}})

		ask := func(email, accountID string) sesametest.Page {
			b := s.NewBrowser(t)
			return b.Submit(b.Get("/password-reset"), "email", url.Values{"email": {email}, "account_id": {accountID}})
		}
		known := ask("forgetful@example.cm", w.AccountID)
		for name, p := range map[string]sesametest.Page{
			"unknown email": ask("nobody@example.cm", w.AccountID), "wrong account": ask("forgetful@example.cm", "id000001"),
			"login account without account ID": ask("forgetful@example.cm", ""),
		} {
			if p.Status != known.Status || errorOrNotice(p.Body) != errorOrNotice(known.Body) {
				t.Fatalf("%s answered differently: %d %q vs %d %q", name, p.Status, errorOrNotice(p.Body), known.Status, errorOrNotice(known.Body))
			}
		}
		if p := ask("not-an-email", ""); p.Status != http.StatusBadRequest {
			t.Fatalf("malformed email: %d", p.Status)
		}
		msg := s.Mail.WaitFor(t, "forgetful@example.cm", 10*time.Second)
		link := resetLink.FindString(msg.Text)
		if link == "" || !strings.Contains(msg.Text, w.AccountID) {
			t.Fatalf("reset email:\n%s", msg.Text)
		}
		s.SettleMail(t)
		// The request without an account ID reaches the login account too.
		for _, m := range s.Mail.Messages() {
			if m.To != "forgetful@example.cm" {
				t.Fatalf("an email to %v", m.To)
			}
		}
		if n := len(s.Mail.Messages()); n != 2 {
			t.Fatalf("%d emails sent, want the two to the known person (with and without the account ID)", n)
		}

		b := s.NewBrowser(t)
		form := b.Get(link)
		if p := b.Submit(form, "password_confirm", url.Values{"password": {"faible"}, "password_confirm": {"faible"}}); p.Status != http.StatusBadRequest {
			t.Fatalf("weak password: %d", p.Status)
		}
		p := b.Submit(form, "password_confirm", url.Values{"password": {next}, "password_confirm": {next}})
		if p.URL.Path != "/login" || p.URL.Query().Get("account_id") != w.AccountID {
			t.Fatalf("after reset: %s", p.URL)
		}
		if p := s.NewBrowser(t).Get(link); p.Status != http.StatusGone {
			t.Fatalf("link used twice: %d", p.Status)
		}
		if p := old.Get("/account"); p.URL.Path != "/login" {
			t.Fatal("a session survived the reset")
		}
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		if p := s.NewBrowser(t).SignIn(rp.Start().URL, "forgetful@example.cm", next, w.AccountID); p.Location == "" {
			t.Fatal("new password refused")
		}
		// At most three links an hour per person: two more of these four.
		for range 4 {
			ask("forgetful@example.cm", w.AccountID)
		}
		s.SettleMail(t)
		resets, notices := 0, 0
		for _, m := range s.Mail.MessagesTo("forgetful@example.cm") {
			switch {
			case resetLink.MatchString(m.Text):
				resets++
			case m.Subject == "Sésame : mot de passe réinitialisé" && !strings.Contains(m.Text, link):
				notices++
			}
		}
		if resets != 3 {
			t.Fatalf("%d reset emails within the hour, want 3 (the limit)", resets)
		}
		if notices != 1 {
			t.Fatalf("%d notices of the reset, want 1", notices)
		}
	})
}

func errorOrNotice(body string) string {
	for _, marker := range []string{`role="status"`, `role="alert"`} {
		if i := strings.Index(body, marker); i >= 0 {
			rest := body[i:]
			if j := strings.Index(rest, "</p>"); j > 0 {
				return rest[:j]
			}
		}
	}
	return ""
}

// TestResetLinksArePurged: expired reset links leave the table.
func TestResetLinksArePurged(t *testing.T) {
	clock := &sesametest.Clock{}
	s := sesametest.Start(t, sesametest.Options{Now: clock.Now})
	seed(t, s)
	b := s.NewBrowser(t)
	b.Submit(b.Get("/password-reset"), "email", url.Values{"email": {ownerEmail}})
	s.Mail.WaitFor(t, ownerEmail, 10*time.Second)
	count := func() int {
		var n int
		if err := s.DB.Get(&n, `SELECT COUNT(*) FROM password_resets`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count() != 1 {
		t.Fatalf("%d reset links stored, want 1", count())
	}
	if n, err := s.Members.PurgeResets(t.Context(), clock.Now()); err != nil || n != 0 {
		t.Fatalf("purging a live link: %d, %v", n, err)
	}
	if n, err := s.Members.PurgeResets(t.Context(), clock.Now().Add(2*time.Hour)); err != nil || n != 1 || count() != 0 {
		t.Fatalf("purging an expired link: %d, %v, %d left", n, err, count())
	}
}

package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/mail/mailtest"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

// accept fills the set-password page of link and reports the final page.
func accept(t *testing.T, s *sesametest.Instance, link, accountID, email string) sesametest.Page {
	t.Helper()
	b := s.NewBrowser(t)
	form := b.Get(link)
	if form.Status != http.StatusOK {
		return form
	}
	return b.Submit(form, "password_confirm", url.Values{"account_id": {accountID}, "email": {email}, "password": {strongPassword}, "password_confirm": {strongPassword}})
}

func TestInvitationLinks(t *testing.T) {
	run := func(t *testing.T, s *sesametest.Instance, clock *sesametest.Clock) {
		w := seed(t, s)
		owner := signInToken(t, w, ownerEmail, ownerPassword, "")
		base := s.URL + "/api/v1/accounts/" + w.AccountID
		invite := func(email string) string {
			t.Helper()
			status, body := apiCall(t, "POST", base+"/members", owner, map[string]any{"email": email, "rights": []string{"email:read"}})
			if status != http.StatusCreated {
				t.Fatalf("invite %s: %d %v", email, status, body)
			}
			return body["invitation_id"].(string)
		}

		t.Run("revoked", func(t *testing.T) {
			id := invite("revoked@example.cm")
			link := invitationLink(t, w, "revoked@example.cm", w.AccountID)
			if status, body := apiCall(t, "DELETE", base+"/invitations/"+id, owner, nil); status != http.StatusNoContent {
				t.Fatalf("revoke: %d %v", status, body)
			}
			if p := accept(t, s, link, w.AccountID, "revoked@example.cm"); p.Status != http.StatusGone {
				t.Fatalf("revoked link: %d", p.Status)
			}
		})

		t.Run("resent", func(t *testing.T) {
			id := invite("resent@example.cm")
			old := invitationLink(t, w, "resent@example.cm", w.AccountID)
			if status, body := apiCall(t, "POST", base+"/invitations/"+id+"/resend", owner, nil); status != http.StatusTooManyRequests || body["error"] != "resend_too_soon" {
				t.Fatalf("resend at once: %d %v, want 429 resend_too_soon", status, body)
			}
			clock.Advance(members.ResendCooldown)
			if status, body := apiCall(t, "POST", base+"/invitations/"+id+"/resend", owner, nil); status != http.StatusOK {
				t.Fatalf("resend: %d %v", status, body)
			}
			second := s.Mail.WaitForMatch(t, "resent@example.cm", func(m mailtest.Received) bool {
				l := linkPattern.FindString(m.Text)
				return l != "" && l != old
			}, 10*time.Second)
			fresh := linkPattern.FindString(second.Text)
			if p := accept(t, s, old, w.AccountID, "resent@example.cm"); p.Status != http.StatusGone {
				t.Fatalf("old link after resend: %d", p.Status)
			}
			if p := accept(t, s, fresh, w.AccountID, "resent@example.cm"); p.URL.Path != "/login" {
				t.Fatalf("new link: %d %s", p.Status, p.URL)
			}
			if p := accept(t, s, fresh, w.AccountID, "resent@example.cm"); p.Status != http.StatusGone {
				t.Fatalf("new link used twice: %d", p.Status)
			}
		})

		t.Run("expired", func(t *testing.T) {
			invite("late@example.cm")
			link := invitationLink(t, w, "late@example.cm", w.AccountID)
			clock.Advance(73 * time.Hour)
			defer clock.Advance(-73 * time.Hour)
			if p := accept(t, s, link, w.AccountID, "late@example.cm"); p.Status != http.StatusGone {
				t.Fatalf("expired link: %d", p.Status)
			}
			status, body := apiCall(t, "GET", base+"/invitations", owner, nil)
			if status != http.StatusOK || !strings.Contains(toJSON(body), `"status":"expired"`) {
				t.Fatalf("invitations after expiry: %d %v", status, body)
			}
		})

		t.Run("same email in two accounts", func(t *testing.T) {
			ctx := context.Background()
			other, _, err := s.Accounts.CreateAccount(ctx, "Other", "boss@other.cm", "Boss", ownerPassword)
			if err != nil {
				t.Fatal(err)
			}
			invite("twice@example.cm")
			first := invitationLink(t, w, "twice@example.cm", w.AccountID)
			if _, err := s.Members.Invite(ctx, members.Operator(), members.InviteRequest{AccountID: other.ID, Email: "twice@example.cm", Grants: []rbac.Grant{{Right: "billing:read"}}}); err != nil {
				t.Fatal(err)
			}
			msg := s.Mail.WaitForMatch(t, "twice@example.cm", func(m mailtest.Received) bool {
				return strings.Contains(m.Text, other.ID)
			}, 10*time.Second)
			second := linkPattern.FindString(msg.Text)
			if p := accept(t, s, first, w.AccountID, "twice@example.cm"); p.URL.Path != "/login" {
				t.Fatalf("first account: %d", p.Status)
			}
			if p := accept(t, s, second, other.ID, "twice@example.cm"); p.URL.Path != "/login" {
				t.Fatalf("second account: %d", p.Status)
			}
			m1, err1 := s.Accounts.MemberByEmail(ctx, w.AccountID, "twice@example.cm")
			m2, err2 := s.Accounts.MemberByEmail(ctx, other.ID, "twice@example.cm")
			if err1 != nil || err2 != nil || m1.ID == m2.ID {
				t.Fatalf("two login accounts expected: %v %v %v %v", m1, err1, m2, err2)
			}
			r1, _ := s.Rights.Rights(ctx, w.AccountID, m1.ID)
			r2, _ := s.Rights.Rights(ctx, other.ID, m2.ID)
			if strings.Join(r1, ",") != "email:read" || strings.Join(r2, ",") != "billing:read" {
				t.Fatalf("rights %v / %v", r1, r2)
			}
		})
	}
	t.Run("sqlite", func(t *testing.T) {
		clock := &sesametest.Clock{}
		run(t, sesametest.Start(t, sesametest.Options{Now: clock.Now}), clock)
	})
	t.Run("postgres", func(t *testing.T) {
		clock := &sesametest.Clock{}
		run(t, sesametest.Start(t, sesametest.Options{Postgres: true, Now: clock.Now}), clock)
	})
}

// TestSMTPDown: with the mail server down the invitation is saved and the
// owner told the email is queued; once the server is back the email
// arrives, once.
func TestSMTPDown(t *testing.T) {
	run := func(t *testing.T, s *sesametest.Instance, clock *sesametest.Clock) {
		w := seed(t, s)
		owner := signInToken(t, w, ownerEmail, ownerPassword, "")
		s.Mail.SetDown(true)
		status, body := apiCall(t, "POST", s.URL+"/api/v1/accounts/"+w.AccountID+"/members", owner,
			map[string]any{"email": "patient@example.cm", "rights": []string{"domain:read"}})
		if status != http.StatusCreated || body["mail"] != "queued" {
			t.Fatalf("invite with SMTP down: %d %v", status, body)
		}
		deadline := time.Now().Add(10 * time.Second)
		for s.Mail.Refused() == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if s.Mail.Refused() == 0 {
			t.Fatal("the outbox never tried the SMTP server")
		}
		b := s.NewBrowser(t)
		p := b.Get("/login")
		b.Submit(p, "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
		if p := b.Get("/console/members"); !strings.Contains(p.Body, "patient@example.cm") || !strings.Contains(p.Body, "nouvel essai automatique") {
			t.Fatalf("console does not tell the email is waiting:\n%s", p.Body)
		}
		s.Mail.SetDown(false)
		// Move past the retry backoff (and back: fosite reads the real
		// clock, and a sign-in from the future would be refused).
		clock.Advance(10 * time.Minute)
		defer clock.Advance(-10 * time.Minute)
		s.Outbox.Kick()
		invitationLink(t, w, "patient@example.cm", w.AccountID)
		s.SettleMail(t)
		if n := len(s.Mail.MessagesTo("patient@example.cm")); n != 1 {
			t.Fatalf("%d emails delivered, want exactly 1", n)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		clock := &sesametest.Clock{}
		run(t, sesametest.Start(t, sesametest.Options{Now: clock.Now}), clock)
	})
	t.Run("postgres", func(t *testing.T) {
		clock := &sesametest.Clock{}
		run(t, sesametest.Start(t, sesametest.Options{Postgres: true, Now: clock.Now}), clock)
	})
}

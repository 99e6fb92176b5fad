package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/mail/mailtest"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestSecurityNotices: enrolling an authenticator, signing in with a
// recovery code and changing the password each send the person a mail,
// through the outbox and SMTP, in the language of the page that made the
// change, that says what happened, when and from where, and holds no code
// or secret.
func TestSecurityNotices(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *sesametest.Instance, clk *sesametest.Clock) {
		w := seed(t, s)
		b := s.NewBrowser(t)
		if p := b.Submit(b.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}}); p.URL.Path != "/account" {
			t.Fatalf("sign-in: %s", p.URL)
		}
		uri, enrolCode, codes, _ := enrolTOTPCode(t, b, b.Get("/account/security"), clk)
		secret, _ := url.Parse(uri)
		// What no notice may hold: the codes, the authenticator's secret,
		// the passwords.
		const next = "Nouveau-Secret#2027"
		secrets := append([]string{enrolCode, secret.Query().Get("secret"), ownerPassword, next}, codes...)

		wait := func(subject string) mailtest.Received {
			t.Helper()
			m := s.Mail.WaitForMatch(t, ownerEmail, func(m mailtest.Received) bool { return m.Subject == subject }, 10*time.Second)
			for _, secret := range secrets {
				if strings.Contains(m.Raw, secret) || strings.Contains(m.Text, secret) || strings.Contains(m.HTML, secret) {
					t.Fatalf("the notice %q holds a secret (%q)", subject, secret)
				}
			}
			return m
		}
		added := wait("Sésame : double authentification activée")
		for _, want := range []string{"Une application d'authentification vient d'être ajoutée", "au compte " + w.AccountID,
			"Adresse IP : 127.0.0.1", "Date : ", s.HTTP.URL + "/account/password", s.HTTP.URL + "/account/security"} {
			if !strings.Contains(added.Text, want) {
				t.Errorf("enrolment notice lacks %q:\n%s", want, added.Text)
			}
		}
		if !strings.Contains(added.HTML, `<html lang="fr">`) {
			t.Error("enrolment notice without its French HTML part")
		}

		// A sign-in with a recovery code.
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		nb := s.NewBrowser(t)
		p := nb.SignIn(rp.Start().URL, ownerEmail, ownerPassword, "")
		if !strings.Contains(p.Body, `name="code"`) {
			t.Fatalf("no second step after the password: %d %s", p.Status, p.URL)
		}
		if r := nb.Submit(p, "code", url.Values{"code": {codes[0]}}); r.Location == "" {
			t.Fatalf("recovery code: %d", r.Status)
		}
		used := wait("Sésame : code de secours utilisé")
		if !strings.Contains(used.Text, "il vous en reste 9.") {
			t.Errorf("recovery notice without the codes left:\n%s", used.Text)
		}

		// The password changed from an English page: the notice is in
		// English.
		form := b.Get("/account/password?lang=en")
		if form.Status != http.StatusOK {
			t.Fatalf("password page: %d", form.Status)
		}
		if p := b.Submit(form, "current_password", url.Values{"current_password": {ownerPassword}, "password": {next}, "password_confirm": {next}}); p.Status != http.StatusOK {
			t.Fatalf("change: %d", p.Status)
		}
		changed := wait("Sésame: password changed")
		for _, want := range []string{"The password of your Sésame access to account " + w.AccountID + " has just been changed.",
			"IP address: 127.0.0.1", "Change your password now: " + s.HTTP.URL + "/account/password"} {
			if !strings.Contains(changed.Text, want) {
				t.Errorf("password notice lacks %q:\n%s", want, changed.Text)
			}
		}

		// One notice each: a TOTP sign-in, say, tells nothing.
		s.SettleMail(t)
		if n := len(s.Mail.MessagesTo(ownerEmail)); n != 3 {
			for _, m := range s.Mail.MessagesTo(ownerEmail) {
				t.Log(m.Subject)
			}
			t.Fatalf("%d mails to the owner, want the 3 notices", n)
		}
	})
}

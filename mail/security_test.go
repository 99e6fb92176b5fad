package mail_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/mail"
)

func TestRenderSecurityNotice(t *testing.T) {
	at := time.Date(2026, 3, 1, 13, 5, 0, 0, time.UTC)
	wat := time.FixedZone("WAT", 3600)
	base := mail.SecurityNotice{AccountID: "id482913", IP: "192.0.2.7", At: at, Zone: wat, Issuer: "https://sesame.example.com"}
	with := func(f func(n *mail.SecurityNotice)) mail.SecurityNotice {
		n := base
		f(&n)
		return n
	}
	tests := []struct {
		name    string
		n       mail.SecurityNotice
		subject string
		text    []string // must appear in the plain text
		absent  []string // must not appear in the plain text
		html    []string // must appear in the HTML
	}{
		{
			name:    "TOTP added, French, login account",
			n:       with(func(n *mail.SecurityNotice) { n.Kind, n.Factor = "factor_added", "totp" }),
			subject: "Sésame : double authentification activée",
			text: []string{"Une application d'authentification vient d'être ajoutée à votre accès Sésame au compte id482913",
				"1er mars 2026 à 14 h 05 (WAT)", "Adresse IP : 192.0.2.7", "https://sesame.example.com/account/password",
				"https://sesame.example.com/account/security", "Prévenez le titulaire du compte id482913", "envoyé à lea@example.org"},
			html: []string{`<html lang="fr">`, `<a href="https://sesame.example.com/account/password">`},
		},
		{
			name: "passkey added, English, owner",
			n: with(func(n *mail.SecurityNotice) {
				n.Lang, n.Kind, n.Factor, n.Name, n.Owner = "en", "factor_added", "passkey", "Laptop <b>", true
			}),
			subject: "Sésame: passkey added",
			text:    []string{`A passkey "Laptop <b>" has just been added to your Sésame access to account id482913.`, "IP address: 192.0.2.7", "Change your password now: https://sesame.example.com/account/password"},
			absent:  []string{"Tell the owner"},
			html:    []string{`<html lang="en">`, "Laptop &lt;b&gt;"},
		},
		{
			name:    "passkey removed",
			n:       with(func(n *mail.SecurityNotice) { n.Kind, n.Factor, n.Name = "factor_removed", "passkey", "Clé USB" }),
			subject: "Sésame : clé d'accès supprimée",
			text:    []string{"La clé d'accès « Clé USB » de votre accès"},
		},
		{
			name:    "reset by the owner",
			n:       with(func(n *mail.SecurityNotice) { n.Kind, n.By = "factors_reset", "owner@example.com" }),
			subject: "Sésame : double authentification supprimée",
			text:    []string{"supprimée par owner@example.com", "Vous ne vous attendiez pas"},
			absent:  []string{"C'était vous"},
		},
		{
			name: "reset by the operator, administrator, English",
			n: with(func(n *mail.SecurityNotice) {
				n.Lang, n.Kind, n.ByOperator, n.AccountID, n.IP = "en", "factors_reset", true, "", ""
			}),
			subject: "Sésame: two-step verification removed",
			text:    []string{"your Sésame administrator access has just been removed by the platform's operator", "Tell another platform administrator"},
			absent:  []string{"IP address", "/account/password"},
		},
		{
			name:    "recovery code used, some left",
			n:       with(func(n *mail.SecurityNotice) { n.Kind, n.Factor, n.Remaining = "recovery_code_used", "recovery", 9 }),
			subject: "Sésame : code de secours utilisé",
			text:    []string{"il vous en reste 9."},
		},
		{
			name:    "recovery code used, none left",
			n:       with(func(n *mail.SecurityNotice) { n.Lang, n.Kind, n.Factor = "en", "recovery_code_used", "recovery" }),
			subject: "Sésame: recovery code used",
			text:    []string{"you have none left"},
		},
		{
			name:    "new recovery codes",
			n:       with(func(n *mail.SecurityNotice) { n.Kind, n.Factor = "recovery_codes_new", "recovery" }),
			subject: "Sésame : nouveaux codes de secours",
			text:    []string{"les anciens ne fonctionnent plus"},
		},
		{
			name:    "password changed, brand",
			n:       with(func(n *mail.SecurityNotice) { n.Kind, n.Brand = "password_changed", mail.Brand{Name: "Acme"} }),
			subject: "Acme : mot de passe modifié",
			text:    []string{"Le mot de passe de votre accès Acme au compte id482913 vient d'être modifié."},
		},
		{
			name:    "password reset, English",
			n:       with(func(n *mail.SecurityNotice) { n.Lang, n.Kind = "en", "password_reset" }),
			subject: "Sésame: password reset",
			text:    []string{"through a reset link", "All your sessions were closed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := mail.RenderSecurityNotice(tt.n, "lea@example.org")
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tt.subject || m.To != "lea@example.org" {
				t.Errorf("subject %q to %q, want %q", m.Subject, m.To, tt.subject)
			}
			for _, s := range tt.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(m.Text, s) || strings.Contains(m.HTML, s) {
					t.Errorf("message holds %q:\n%s", s, m.Text)
				}
			}
			for _, s := range tt.html {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML lacks %q", s)
				}
			}
			if strings.Contains(m.Text, "\n\n\n") || strings.HasPrefix(m.HTML, "\n") {
				t.Errorf("stray blank lines:\n%q", m.Text)
			}
		})
	}
}

func TestRenderSecurityNoticeInvalid(t *testing.T) {
	at := time.Date(2026, 3, 1, 13, 5, 0, 0, time.UTC)
	for name, n := range map[string]mail.SecurityNotice{
		"unknown kind": {Kind: "totp_stolen", At: at, Issuer: "https://sesame.example.com"},
		"no time":      {Kind: "password_changed", Issuer: "https://sesame.example.com"},
		"no issuer":    {Kind: "password_changed", At: at},
	} {
		if _, err := mail.RenderSecurityNotice(n, "lea@example.org"); !errors.Is(err, mail.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

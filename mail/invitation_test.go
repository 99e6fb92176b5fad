package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/mail/mailtest"
)

func invitation(lang string) mail.Invitation {
	return mail.Invitation{
		Lang:         lang,
		AccountID:    "id482913",
		AccountName:  `<script>alert("x")</script> Dupont & Fils`,
		InviterEmail: "owner@example.com",
		Link:         "https://sesame.example.com/invitation?token=Zx9_abc&lang=" + lang,
		ExpiresAt:    time.Date(2026, 3, 1, 14, 5, 0, 0, time.FixedZone("CET", 3600)),
	}
}

func TestRenderInvitation(t *testing.T) {
	tests := []struct {
		name        string
		lang        string
		subject     string
		text, html  []string // must appear
		htmlLang    string
		notInHTML   []string
		expiryInTxt string
		zone        string // display zone; empty: UTC
	}{
		{
			name: "French", lang: "fr", subject: "Invitation à rejoindre le compte id482913 sur Sésame",
			text:        []string{"owner@example.com vous invite", "\n    id482913\n", "https://sesame.example.com/invitation?token=Zx9_abc&lang=fr\n", "Vous n'attendiez pas ce message", "envoyé à lea@example.org"},
			expiryInTxt: "1er mars 2026 à 13 h 05 (UTC)",
			htmlLang:    `<html lang="fr">`,
		},
		{
			name: "English", lang: "en", subject: "Invitation to join account id482913 on Sésame",
			text:        []string{"owner@example.com invites you", "\n    id482913\n", "https://sesame.example.com/invitation?token=Zx9_abc&lang=en\n", "Not expecting this message?", "sent to lea@example.org"},
			expiryInTxt: "1 March 2026 at 13:05 (UTC)",
			htmlLang:    `<html lang="en">`,
		},
		{
			name: "display zone", lang: "fr", subject: "Invitation à rejoindre le compte id482913 sur Sésame", zone: "Africa/Douala",
			expiryInTxt: "1er mars 2026 à 14 h 05 (WAT)",
			htmlLang:    `<html lang="fr">`,
		},
		{name: "region ignored", lang: "en-GB", subject: "Invitation to join account id482913 on Sésame", htmlLang: `<html lang="en">`},
		{name: "unknown language is French", lang: "de", subject: "Invitation à rejoindre le compte id482913 sur Sésame", htmlLang: `<html lang="fr">`},
		{name: "no language is French", lang: "", subject: "Invitation à rejoindre le compte id482913 sur Sésame", htmlLang: `<html lang="fr">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := invitation(tt.lang)
			if tt.zone != "" {
				zone, err := time.LoadLocation(tt.zone)
				if err != nil {
					t.Fatal(err)
				}
				inv.Zone = zone
			}
			m, err := mail.RenderInvitation(inv, "lea@example.org")
			if err != nil {
				t.Fatal(err)
			}
			if m.To != "lea@example.org" || m.Subject != tt.subject {
				t.Errorf("To %q, subject %q; want lea@example.org, %q", m.To, m.Subject, tt.subject)
			}
			text := tt.text
			if tt.expiryInTxt != "" {
				text = append(text, tt.expiryInTxt)
			}
			for _, want := range append(text, "id482913", inv.Link, inv.AccountName) {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, m.Text)
				}
			}
			html := []string{
				tt.htmlLang, "id482913", "owner@example.com",
				`href="https://sesame.example.com/invitation?token=Zx9_abc&amp;lang=`,
				"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Dupont &amp; Fils",
			}
			if tt.expiryInTxt != "" {
				html = append(html, tt.expiryInTxt)
			}
			for _, want := range html {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
				}
			}
			for _, bad := range []string{"<script>", "Dupont & Fils", "&lang=" + tt.lang + `"`} {
				if strings.Contains(m.HTML, bad) {
					t.Errorf("HTML holds unescaped %q", bad)
				}
			}
		})
	}
}

func TestRenderInvitationRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(*mail.Invitation)
		to     string
	}{
		{"relative link", func(i *mail.Invitation) { i.Link = "/invitation?token=x" }, "lea@example.org"},
		{"javascript link", func(i *mail.Invitation) { i.Link = "javascript:alert(1)" }, "lea@example.org"},
		{"no account ID", func(i *mail.Invitation) { i.AccountID = "" }, "lea@example.org"},
		{"no inviter", func(i *mail.Invitation) { i.InviterEmail = "" }, "lea@example.org"},
		{"no expiry", func(i *mail.Invitation) { i.ExpiresAt = time.Time{} }, "lea@example.org"},
		{"bad recipient", func(*mail.Invitation) {}, "lea"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := invitation("fr")
			tt.change(&inv)
			if _, err := mail.RenderInvitation(inv, tt.to); !errors.Is(err, mail.ErrInvalid) {
				t.Errorf("RenderInvitation: %v, want ErrInvalid", err)
			}
		})
	}
}

// TestInvitationOverSMTP checks what the invitee's mail program gets: the
// account ID and the absolute link in the plain-text part.
func TestInvitationOverSMTP(t *testing.T) {
	srv := mailtest.NewServer(t)
	inv := invitation("fr")
	m, err := mail.RenderInvitation(inv, "lea@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := newSender(t, srv.URL()).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, "lea@example.org", 5*time.Second)
	if got.Subject != m.Subject {
		t.Errorf("subject %q, want %q", got.Subject, m.Subject)
	}
	for _, want := range []string{inv.AccountID, inv.Link} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("received text lacks %q:\n%s", want, got.Text)
		}
	}
	if !strings.Contains(got.HTML, inv.AccountID) {
		t.Errorf("received HTML lacks the account ID")
	}
}

// TestBrand: the configured name and logo reach both parts of both
// messages, with a footer saying why the message came; a logo that is no
// http(s) URL is refused.
func TestBrand(t *testing.T) {
	brand := mail.Brand{Name: "Acme Connexion", LogoURL: "https://cdn.example.cm/logo.png"}
	at := time.Date(2026, 12, 2, 13, 30, 0, 0, time.UTC)
	inv, err := mail.RenderInvitation(mail.Invitation{Lang: "fr", AccountID: "id482913", InviterEmail: "owner@example.cm",
		Link: "https://login.example.cm/invitation/abc", ExpiresAt: at, Brand: brand}, "lea@example.org")
	if err != nil {
		t.Fatal(err)
	}
	reset, err := mail.RenderPasswordReset(mail.PasswordReset{Lang: "en", ExpiresAt: at, Brand: brand,
		Links: []mail.ResetLink{{AccountID: "id482913", Link: "https://login.example.cm/password-reset/abc"}}}, "lea@example.org")
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]mail.Message{"invitation": inv, "reset": reset} {
		for part, body := range map[string]string{"text": m.Text, "HTML": m.HTML} {
			if !strings.Contains(body, "Acme Connexion") || strings.Contains(body, "Sésame") {
				t.Errorf("%s %s part does not carry the brand:\n%s", name, part, body)
			}
			if !strings.Contains(body, "because") && !strings.Contains(body, "parce que") {
				t.Errorf("%s %s part does not say why it was sent", name, part)
			}
		}
		if !strings.Contains(m.HTML, `src="https://cdn.example.cm/logo.png"`) {
			t.Errorf("%s: no logo in the HTML part", name)
		}
	}
	if err := mail.CheckBrand(mail.Brand{LogoURL: "javascript:alert(1)"}); err == nil {
		t.Error("a javascript: logo was accepted")
	}
}

package e2e_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestConsentWithdrawn: "Mon compte" lists the applications a person
// allowed; withdrawing one ends its tokens, tells the application by
// back-channel logout, and the next sign-in asks again.
func TestConsentWithdrawn(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		seed(t, s)
		const redirect = "http://partner.localhost/cb"
		secret := createClient(t, s, &sqlstore.Client{ID: "partner", Name: "Partenaire SEO", RedirectURIs: []string{redirect},
			Scopes: []string{"openid", "email", "offline_access"}, BackchannelLogoutURI: "http://localhost:1/backchannel-logout"})
		rp := s.NewRP(t, "partner", secret, redirect, "openid", "email", "offline_access")
		b := s.NewBrowser(t)
		flow := rp.Start()
		p := b.SignIn(flow.URL, ownerEmail, ownerPassword, "")
		p = b.SubmitAction(p, "/oauth2/auth/consent", url.Values{"decision": {"allow"}})
		tok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
		if err != nil || tok.RefreshToken == "" {
			t.Fatalf("after consent: %v", err)
		}

		p = b.Get("/account")
		if !strings.Contains(p.Body, `<span translate="no">Partenaire SEO</span>`) || !strings.Contains(p.Body, "Retirer") {
			t.Fatalf("account page:\n%s", p.Body)
		}
		p = b.SubmitAction(p, "/account/consents/revoke", nil)
		if p.URL.Path != "/account" || !strings.Contains(p.Body, "Autorisation retirée") || strings.Contains(p.Body, "Partenaire SEO") {
			t.Fatalf("after withdrawal: %s\n%s", p.URL, p.Body)
		}
		// The application is told, in the transaction of the withdrawal.
		list, err := s.Events.Recent(context.Background(), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Kind != events.KindLogout || list[0].ClientID != "partner" || list[0].SID != "" || list[0].Subject == "" {
			t.Fatalf("deliveries after the withdrawal: %+v, want one logout token naming the person only, to partner", list)
		}
		if r := refresh(t, rp, tok.RefreshToken); r.err == nil {
			t.Fatal("the refresh token still works after the withdrawal")
		}
		if p := b.Get(rp.Start().URL); p.Location != "" || !strings.Contains(p.Body, `value="allow"`) {
			t.Fatal("the next sign-in does not ask again")
		}
	})
}

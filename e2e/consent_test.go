package e2e_test

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestConsent: a third-party client gets a consent page listing its
// scopes; a refusal returns access_denied, an approval is remembered, and
// prompt=consent asks again.
func TestConsent(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		seed(t, s)
		const redirect = "http://partner.localhost/cb"
		secret := createClient(t, s, &sqlstore.Client{ID: "partner", Name: "Partenaire SEO", RedirectURIs: []string{redirect},
			Scopes: []string{"openid", "email", "offline_access"}})
		rp := s.NewRP(t, "partner", secret, redirect, "openid", "email")
		b := s.NewBrowser(t)

		flow := rp.Start()
		p := b.SignIn(flow.URL, ownerEmail, ownerPassword, "")
		if p.Location != "" || !strings.Contains(p.Body, "Partenaire SEO") || !strings.Contains(p.Body, "connaître votre adresse e-mail") {
			t.Fatalf("no consent page: %d %q", p.Status, p.Location)
		}
		denied := b.SubmitAction(p, "/oauth2/auth/consent", url.Values{"decision": {"deny"}})
		if u, _ := url.Parse(denied.Location); u == nil || u.Query().Get("error") != "access_denied" || u.Query().Get("state") != flow.State {
			t.Fatalf("refusal: %q", denied.Location)
		}

		flow = rp.Start()
		p = b.Get(flow.URL)
		p = b.SubmitAction(p, "/oauth2/auth/consent", url.Values{"decision": {"allow"}})
		if _, err := rp.Exchange(flow, rp.Callback(flow, p.Location)); err != nil {
			t.Fatalf("after consent: %v", err)
		}

		flow = rp.Start()
		if p := b.Get(flow.URL); p.Location == "" {
			t.Fatal("consent was not remembered")
		}
		flow = rp.Start(oauth2.SetAuthURLParam("prompt", "consent"))
		if p := b.Get(flow.URL); p.Location != "" || !strings.Contains(p.Body, `value="allow"`) {
			t.Fatal("prompt=consent did not ask again")
		}
		// A wider request than the one consented asks again.
		wide := s.NewRP(t, "partner", secret, redirect, "openid", "email", "offline_access")
		flow = wide.Start()
		if p := b.Get(flow.URL); p.Location != "" {
			t.Fatal("new scope offline_access granted without consent")
		}
		// prompt=none with consent missing gives consent_required.
		flow = wide.Start(oauth2.SetAuthURLParam("prompt", "none"))
		p = b.Get(flow.URL)
		if u, _ := url.Parse(p.Location); u == nil || u.Query().Get("error") != "consent_required" {
			t.Fatalf("prompt=none without consent: %q", p.Location)
		}
	})
}

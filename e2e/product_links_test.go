package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestAccountProductLinks: "Mon compte" links a person to the products
// they hold a right on (a client registered with a home page and a
// product), the owner to every one; with none, a sentence says so.
func TestAccountProductLinks(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		for _, c := range []*sqlstore.Client{
			{ID: "server-panel", Name: "Panneau Serveurs", ClientURI: "https://servers.example.cm/", Product: "server"},
			{ID: "domain-panel", Name: "Panneau Domaines", ClientURI: "https://domains.example.cm/", Product: "domain"},
			// No home page: never linked.
			{ID: "email-panel", Name: "Panneau Messagerie", Product: "email"},
		} {
			c.RedirectURIs, c.IsFirstParty = []string{"https://" + c.Product + ".example.cm/callback"}, true
			createClient(t, s, c)
		}
		const serverLink = `<a href="https://servers.example.cm/" translate="no">Panneau Serveurs</a>`
		const domainLink = `<a href="https://domains.example.cm/" translate="no">Panneau Domaines</a>`
		accountPage := func(email, pw, accountID string) string {
			t.Helper()
			p := s.NewBrowser(t).SignIn("/login", email, pw, accountID)
			if p.Status != http.StatusOK || p.URL.Path != "/account" || !strings.Contains(p.Body, "Mes produits") {
				t.Fatalf("account page of %s: %d at %s\n%s", email, p.Status, p.URL, p.Body)
			}
			return p.Body
		}

		addLoginAccount(t, s, w.AccountID, "tech@example.cm", "Technicien!2026x", "server:read", "email:read")
		body := accountPage("tech@example.cm", "Technicien!2026x", w.AccountID)
		if !strings.Contains(body, serverLink) || strings.Contains(body, "domains.example.cm") || strings.Contains(body, "Panneau Messagerie") {
			t.Fatalf("server technician: want the server panel only\n%s", body)
		}

		body = accountPage(ownerEmail, ownerPassword, "")
		if !strings.Contains(body, serverLink) || !strings.Contains(body, domainLink) || strings.Contains(body, "Panneau Messagerie") {
			t.Fatalf("owner: want both panels\n%s", body)
		}
		if strings.Contains(body, "accès à aucun produit") {
			t.Fatal("owner told of no product")
		}

		addLoginAccount(t, s, w.AccountID, "compta@example.cm", "Comptable!2026x", "billing:read")
		body = accountPage("compta@example.cm", "Comptable!2026x", w.AccountID)
		if strings.Contains(body, "https://servers.example.cm/") || strings.Contains(body, "https://domains.example.cm/") ||
			!strings.Contains(body, "accès à aucun produit") {
			t.Fatalf("accountant: want no product and a sentence saying so\n%s", body)
		}
	})
}

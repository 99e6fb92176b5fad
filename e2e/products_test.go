package e2e_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

var domainLink = regexp.MustCompile(`/domains/([a-z0-9.-]+\.[a-z]+)`)

// TestProducts runs the real demo panels against Sésame: a login account
// holding only domain:read sees its domains, is refused DNS editing by the
// server, cannot use the email panel; once granted domain:dns:example.cm it
// edits that zone only, at once (live check); single sign-on across panels
// and sign-out.
func TestProducts(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: builds and runs the demo-product program")
	}
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		const email, pw = "lecteur@example.cm", "Lecteur#Domaines1"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "domain:read")
		domains := s.StartPanel(t, "domain", -1) // no cache: live checks see changes at once
		mailPanel := s.StartPanel(t, "email", -1)

		b := sesametest.NewWebBrowser(t, domains.URL)
		p := b.Get(domains.URL + "/login")
		if !strings.Contains(p.Body, `name="account_id"`) {
			t.Fatalf("panel sign-in did not reach Sésame's login form: %s (%d)", p.URL, p.Status)
		}
		p = b.Submit(p, "password", url.Values{"email": {email}, "password": {pw}, "account_id": {w.AccountID}, "tab": {"member"}})
		if !strings.HasPrefix(p.URL.String(), domains.URL) || !strings.Contains(p.Body, w.AccountID) {
			t.Fatalf("back at the panel: %s (%d)\n%s", p.URL, p.Status, p.Body)
		}
		p = b.Get(domains.URL + "/domains")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "example.cm") {
			t.Fatalf("domains page: %d", p.Status)
		}
		var other string
		for _, mm := range domainLink.FindAllStringSubmatch(p.Body, -1) {
			if mm[1] != "example.cm" {
				other = mm[1]
				break
			}
		}
		if other == "" {
			t.Fatal("no second domain listed")
		}
		addRecord := func(domain string) int {
			t.Helper()
			return b.Post(domains.URL+"/domains/"+domain+"/records", url.Values{"type": {"A"}, "name": {"www"}, "value": {"192.0.2.10"}, "ttl": {"3600"}}).Status
		}
		if st := addRecord("example.cm"); st != http.StatusForbidden {
			t.Fatalf("DNS edit with domain:read only: %d, want 403 from the server", st)
		}

		// Single sign-on: the email panel signs in without a password
		// prompt, and refuses the person (no email right).
		p = b.Get(mailPanel.URL + "/login")
		if strings.Contains(p.Body, `name="password"`) || !strings.HasPrefix(p.URL.String(), mailPanel.URL) {
			t.Fatalf("second panel asked for the password again: %s", p.URL)
		}
		if p := b.Get(mailPanel.URL + "/mailboxes"); p.Status != http.StatusForbidden {
			t.Fatalf("email panel without email:read: %d, want 403", p.Status)
		}

		// The owner narrows a new right to one zone: the live check sees it at once.
		owner := signInToken(t, w, ownerEmail, ownerPassword, "")
		status, _ := apiCall(t, "PATCH", s.URL+"/api/v1/accounts/"+w.AccountID+"/members/"+m.ID, owner,
			map[string]any{"rights": []string{"domain:read", "domain:dns:example.cm"}})
		if status != http.StatusOK {
			t.Fatalf("grant: %d", status)
		}
		if st := addRecord("example.cm"); st != http.StatusOK {
			t.Fatalf("DNS edit of example.cm after the grant: %d", st)
		}
		if st := addRecord(other); st != http.StatusForbidden {
			t.Fatalf("DNS edit of %s with a right narrowed to example.cm: %d, want 403", other, st)
		}

		// Rights in tokens follow at the next refresh.
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		flow := rp.Start()
		tok, err := rp.Exchange(flow, rp.Callback(flow, s.NewBrowser(t).SignIn(flow.URL, email, pw, w.AccountID).Location))
		if err != nil {
			t.Fatal(err)
		}
		apiCall(t, "PATCH", s.URL+"/api/v1/accounts/"+w.AccountID+"/members/"+m.ID, owner, map[string]any{"rights": []string{"domain:read"}})
		r := refresh(t, rp, tok.RefreshToken)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if got := toStrings(decodeJWT(t, r.tok.AccessToken)["claims"].(map[string]any)["rights"]); !slices.Equal(got, []string{"domain:read"}) {
			t.Fatalf("refreshed token rights = %v", got)
		}

		// The panel's API refuses Sésame tokens not meant for it.
		for name, token := range map[string]string{"another client's access token": tok.AccessToken, "an ID token": tok.Extra("id_token").(string)} {
			req, _ := http.NewRequest("GET", domains.URL+"/api/domains", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s: %d, want 401", name, resp.StatusCode)
			}
		}

		// Sign-out at the panel ends the Sésame session too.
		p = b.SubmitAction(b.Get(domains.URL+"/domains"), "/logout", nil)
		if !strings.HasPrefix(p.URL.String(), domains.URL) {
			t.Fatalf("after sign-out: %s", p.URL)
		}
		if p := b.Get(s.URL + "/account"); !strings.HasSuffix(p.URL.Path, "/login") {
			t.Fatalf("Sésame session survived the panel sign-out: %s", p.URL)
		}
	})
}

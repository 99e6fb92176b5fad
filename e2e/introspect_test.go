package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestIntrospectionIsTheTokenHolders: a client introspects the tokens
// issued to it or addressed to it (audience); any other client's token,
// access or refresh, is inactive for it, and it reads no claim of the
// person.
func TestIntrospectionIsTheTokenHolders(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		ccClient := func(id string, audience ...string) string {
			return createClient(t, s, &sqlstore.Client{ID: id, Name: id, GrantTypes: []string{"client_credentials"},
				Scopes: []string{"sesame:authz"}, Audience: audience})
		}
		dnsSecret := ccClient("dns")
		billingSecret := ccClient("billing", "dns")

		// The panel's tokens of a person.
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		flow := rp.Start()
		p := s.NewBrowser(t).SignIn(flow.URL, ownerEmail, ownerPassword, "")
		tok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		if tok.RefreshToken == "" {
			t.Fatal("no refresh token")
		}
		// A token of billing addressed to dns too.
		cc := clientcredentials.Config{ClientID: "billing", ClientSecret: billingSecret, TokenURL: s.URL + "/oauth2/token",
			Scopes: []string{"sesame:authz"}, EndpointParams: url.Values{"audience": {"dns"}}}
		forDNS, err := cc.Token(context.Background())
		if err != nil {
			t.Fatalf("client credentials: %v", err)
		}

		tests := []struct {
			name, caller, secret, token string
			active                      bool
		}{
			{"panel's access token by panel", w.ClientID, w.Secret, tok.AccessToken, true},
			{"panel's refresh token by panel", w.ClientID, w.Secret, tok.RefreshToken, true},
			{"panel's access token by dns", "dns", dnsSecret, tok.AccessToken, false},
			{"panel's refresh token by dns", "dns", dnsSecret, tok.RefreshToken, false},
			{"panel's access token by billing", "billing", billingSecret, tok.AccessToken, false},
			{"billing's token by billing", "billing", billingSecret, forDNS.AccessToken, true},
			{"billing's token by dns, its audience", "dns", dnsSecret, forDNS.AccessToken, true},
			{"billing's token by panel", w.ClientID, w.Secret, forDNS.AccessToken, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got := introspectAs(t, s, tc.caller, tc.secret, tc.token)
				if got["active"] != tc.active {
					t.Fatalf("active = %v, want %v: %v", got["active"], tc.active, got)
				}
				if !tc.active && len(got) != 1 {
					t.Fatalf("an inactive answer says more than active: %v", got)
				}
			})
		}
	})
}

// introspectAs introspects token with the credentials of clientID.
func introspectAs(t *testing.T, s *sesametest.Instance, clientID, secret, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("introspect: %d %v", resp.StatusCode, err)
	}
	return out
}

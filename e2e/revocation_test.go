package e2e_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// authzToken is a client-credentials token with scope sesame:authz from s.
func authzToken(t *testing.T, s *sesametest.Instance, clientID, secret string) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: s.URL + "/oauth2/token", Scopes: []string{"sesame:authz"}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

// within polls cond every few milliseconds until it holds, failing the
// test after a second; it logs how long it took.
func within(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > time.Second {
			t.Fatalf("%s: not within 1 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("%s after %v", what, time.Since(start))
}

// TestCheckAPIRevocationTwoInstances: two instances on one PostgreSQL.
// The check API of b verifies tokens without reading the database once it
// has seen them; a token revoked through a, a client deleted through a and
// a login account disabled through a are refused by b within a second.
func TestCheckAPIRevocationTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: two instances on one database")
	}
	_, dbURL := dbtest.PostgresURL(t)
	a := sesametest.Start(t, sesametest.Options{DatabaseURL: dbURL})
	b := sesametest.Start(t, sesametest.Options{DatabaseURL: dbURL})
	w := seed(t, a)
	m := addLoginAccount(t, a, w.AccountID, "ops@example.cm", "Operateur#2026!", "server:operate")
	q := map[string]any{"sub": m.ID, "account_id": w.AccountID, "right": "server:operate"}
	check := func(token string) (int, bool) {
		status, body := apiCall(t, "POST", b.URL+"/api/v1/authz/check", token, q)
		return status, body["allowed"] == true
	}

	// A token revoked at a's revocation endpoint.
	tok := authzToken(t, a, w.ClientID, w.Secret)
	for range 3 { // seen, then remembered
		if status, ok := check(tok); status != http.StatusOK || !ok {
			t.Fatalf("check on b: %d %v", status, ok)
		}
	}
	revoke(t, a, w, tok)
	within(t, "revoked token refused by b", func() bool {
		status, _ := check(tok)
		return status == http.StatusUnauthorized
	})

	// A token of a client deleted through a.
	secret := createClient(t, a, &sqlstore.Client{ID: "server-panel", Name: "Server panel",
		GrantTypes: []string{"client_credentials"}, Scopes: []string{"sesame:authz"}})
	gone := authzToken(t, a, "server-panel", secret)
	if status, _ := check(gone); status != http.StatusOK {
		t.Fatalf("check with the second client's token: %d", status)
	}
	if err := a.Clients.DeleteClient(context.Background(), "server-panel"); err != nil {
		t.Fatal(err)
	}
	within(t, "token of a deleted client refused by b", func() bool {
		status, _ := check(gone)
		return status == http.StatusUnauthorized
	})

	// A login account disabled through a.
	tok = authzToken(t, b, w.ClientID, w.Secret)
	if _, ok := check(tok); !ok {
		t.Fatal("granted right denied on b")
	}
	owner := signInToken(t, w, ownerEmail, ownerPassword, "")
	if status, _ := apiCall(t, "PATCH", a.URL+"/api/v1/accounts/"+w.AccountID+"/members/"+m.ID, owner, map[string]any{"status": "disabled"}); status != http.StatusOK {
		t.Fatalf("disable on a: %d", status)
	}
	within(t, "disabled login account denied by b", func() bool {
		status, ok := check(tok)
		return status == http.StatusOK && !ok
	})
}

// TestCheckAPITokens: the check API refuses what is not a valid client
// token of Sésame with the errors it always gave, whether it has seen the
// token before or not.
func TestCheckAPITokens(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		q := map[string]any{"sub": w.OwnerID, "account_id": w.AccountID, "right": "domain:read"}
		tok := authzToken(t, s, w.ClientID, w.Secret)
		if status, body := apiCall(t, "POST", s.URL+"/api/v1/authz/check", tok, q); status != http.StatusOK || body["allowed"] != true {
			t.Fatalf("valid token: %d %v", status, body)
		}

		// An ID token, signed by Sésame's key but not an access token.
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		flow := rp.Start()
		p := s.NewBrowser(t).SignIn(flow.URL, ownerEmail, ownerPassword, "")
		oauthTok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
		if err != nil {
			t.Fatal(err)
		}
		idToken, _ := oauthTok.Extra("id_token").(string)

		// A token signed by a key Sésame does not know, with every claim right.
		claims := decodeJWT(t, tok)["claims"]
		forged := forgeJWT(t, "unknown-kid", "at+jwt", claims)
		parts := strings.Split(tok, ".")
		tampered := parts[0] + "." + parts[1] + "." + strings.Map(func(r rune) rune {
			if r == 'A' {
				return 'B'
			}
			return 'A'
		}, parts[2])

		tests := []struct {
			name, token string
			status      int
			code        string
		}{
			{"bad signature", tampered, http.StatusUnauthorized, "invalid_token"},
			{"unknown kid", forged, http.StatusUnauthorized, "invalid_token"},
			{"ID token", idToken, http.StatusUnauthorized, "invalid_token"},
			{"opaque", "not-a-token", http.StatusUnauthorized, "invalid_token"},
			{"person's token", oauthTok.AccessToken, http.StatusForbidden, "insufficient_scope"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body := apiCall(t, "POST", s.URL+"/api/v1/authz/check", tt.token, q)
				if status != tt.status || body["error"] != tt.code || body["message"] == "" {
					t.Fatalf("%d %v, want %d %s with a message", status, body, tt.status, tt.code)
				}
			})
		}

		// Revoked on this instance: refused on the very next call.
		revoke(t, s, w, tok)
		if status, body := apiCall(t, "POST", s.URL+"/api/v1/authz/check", tok, q); status != http.StatusUnauthorized || body["error"] != "invalid_token" {
			t.Fatalf("revoked token: %d %v", status, body)
		}
	})
}

// forgeJWT signs claims with a new P-256 key named kid.
func forgeJWT(t *testing.T, kid, typ string, claims any) string {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := sig.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

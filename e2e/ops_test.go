package e2e_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoSecrets runs a whole flow and looks for every password,
// code, token and secret in the logs.
func TestLogsHoldNoSecrets(t *testing.T) {
	logs := &syncBuffer{}
	s := sesametest.Start(t, sesametest.Options{LogTo: logs})
	w := seed(t, s)
	rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
	flow := rp.Start()
	p := s.NewBrowser(t).SignIn(flow.URL, ownerEmail, ownerPassword, "")
	code := rp.Callback(flow, p.Location)
	tok, err := rp.Exchange(flow, code)
	if err != nil {
		t.Fatal(err)
	}
	s.NewBrowser(t).SignIn(rp.Start().URL, ownerEmail, "Wrong-Password-1!", "")
	r := refresh(t, rp, tok.RefreshToken)
	if r.err != nil {
		t.Fatal(r.err)
	}
	refresh(t, rp, tok.RefreshToken) // reuse: logged as an incident, without the token
	if !strings.Contains(logs.String(), `"path":"/oauth2/token"`) {
		t.Fatal("the logs are empty: the test would prove nothing")
	}
	for name, secret := range map[string]string{
		"password": ownerPassword, "wrong password": "Wrong-Password-1!", "client secret": w.Secret, "code": code,
		"access token": tok.AccessToken, "refresh token": tok.RefreshToken, "new refresh token": r.tok.RefreshToken,
		"ID token": tok.Extra("id_token").(string), "instance secret": sesametest.Secrets, "PKCE verifier": flow.Verifier,
	} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs contain the %s", name)
		}
	}
}

// TestKeyRotation: after `keys rotate` new tokens carry the new kid, the
// JWKS still publishes the old key, and tokens signed before stay valid. A
// client registered for RS256 gets RS256 tokens.
func TestKeyRotation(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
	b := s.NewBrowser(t)
	flow := rp.Start()
	old, err := rp.Exchange(flow, rp.Callback(flow, b.SignIn(flow.URL, ownerEmail, ownerPassword, "").Location))
	if err != nil {
		t.Fatal(err)
	}
	oldKID := decodeJWT(t, old.AccessToken)["kid"]
	k, err := s.OAuth.Keys.Rotate(context.Background(), "ES256", 0)
	if err != nil {
		t.Fatal(err)
	}
	flow = rp.Start()
	fresh, err := rp.Exchange(flow, rp.Callback(flow, b.Get(flow.URL).Location))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeJWT(t, fresh.AccessToken)["kid"]; got != k.KID || got == oldKID {
		t.Fatalf("kid after rotation = %v, want %s (old %v)", got, k.KID, oldKID)
	}
	jwks := s.OAuth.Keys.JWKS()
	var kids []string
	for _, key := range jwks.Keys {
		kids = append(kids, key.KeyID)
	}
	if !strings.Contains(strings.Join(kids, " "), oldKID.(string)) || !strings.Contains(strings.Join(kids, " "), k.KID) {
		t.Fatalf("JWKS kids %v lack the old or the new key", kids)
	}
	// A fresh verifier (new JWKS fetch) accepts the ID token signed before the rotation.
	p, err := oidc.NewProvider(context.Background(), s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verifier(&oidc.Config{ClientID: w.ClientID}).Verify(context.Background(), old.Extra("id_token").(string)); err != nil {
		t.Fatalf("ID token signed before the rotation: %v", err)
	}
	// Introspection still accepts the old access token.
	if got := introspect(t, s, w, old.AccessToken); got["active"] != true {
		t.Fatalf("old access token after rotation: %v", got)
	}

	secret := createClient(t, s, &sqlstore.Client{ID: "legacy", Name: "Legacy", RedirectURIs: []string{"http://legacy.localhost/cb"}, IsFirstParty: true,
		IDTokenSigningAlg: "RS256", Scopes: []string{"openid"}})
	lrp := s.NewRP(t, "legacy", secret, "http://legacy.localhost/cb", "openid")
	flow = lrp.Start()
	ltok, err := lrp.Exchange(flow, lrp.Callback(flow, b.Get(flow.URL).Location))
	if err != nil {
		t.Fatal(err)
	}
	if alg := decodeJWT(t, ltok.Extra("id_token").(string))["alg"]; alg != "RS256" {
		t.Fatalf("RS256 client got %v", alg)
	}
	lrp.VerifyID(flow, ltok)
}

// TestTimeLimitedGrant: a grant with an expiry stops counting at once when
// it expires.
func TestTimeLimitedGrant(t *testing.T) {
	clock := &sesametest.Clock{}
	s := sesametest.Start(t, sesametest.Options{Now: clock.Now})
	w := seed(t, s)
	m := addLoginAccount(t, s, w.AccountID, "freelance@example.cm", "Freelance#Serveur7")
	owner := signInToken(t, w, ownerEmail, ownerPassword, "")
	week := clock.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339)
	status, body := apiCall(t, "PATCH", s.URL+"/api/v1/accounts/"+w.AccountID+"/members/"+m.ID, owner,
		map[string]any{"rights": []any{"server:read", map[string]any{"right": "server:operate", "expires_at": week}}})
	if status != http.StatusOK || !strings.Contains(toJSON(body), week) {
		t.Fatalf("time-limited grant: %d %v", status, body)
	}
	cc := clientcredentials.Config{ClientID: w.ClientID, ClientSecret: w.Secret, TokenURL: s.URL + "/oauth2/token", Scopes: []string{"sesame:authz"}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	allowed := func() any {
		_, body := apiCall(t, "POST", s.URL+"/api/v1/authz/check", tok.AccessToken, map[string]any{"sub": m.ID, "account_id": w.AccountID, "right": "server:operate"})
		return body["allowed"]
	}
	if allowed() != true {
		t.Fatal("grant not yet expired is denied")
	}
	clock.Advance(8 * 24 * time.Hour)
	defer clock.Advance(-8 * 24 * time.Hour)
	if allowed() != false {
		t.Fatal("expired grant still allowed")
	}
	// A grant whose expiry is already past is refused with a clear error.
	status, body = apiCall(t, "PATCH", s.URL+"/api/v1/accounts/"+w.AccountID+"/members/"+m.ID, owner,
		map[string]any{"rights": []any{map[string]any{"right": "server:operate", "expires_at": "2020-01-01T00:00:00Z"}}})
	if status != http.StatusBadRequest {
		t.Fatalf("past expiry: %d %v", status, body)
	}
}

func TestHealth(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	s.DB.Close()
	resp, err := http.Get(s.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with the database gone: %d", resp.StatusCode)
	}
}

package sesametest

import (
	"context"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// RP is a relying party as a product would write it: go-oidc for discovery
// and verification, x/oauth2 for the code flow with PKCE.
type RP struct {
	t        testing.TB
	Provider *oidc.Provider
	Config   oauth2.Config
	Verifier *oidc.IDTokenVerifier
}

// NewRP discovers the instance and returns a relying party for the client.
func (s *Instance) NewRP(t testing.TB, clientID, clientSecret, redirectURL string, scopes ...string) *RP {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), s.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess}
	}
	// The token endpoint accepts exactly the method a client registered:
	// Basic for Sésame's confidential clients. x/oauth2's auto-detection
	// would retry a failed request with the secret in the form.
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	return &RP{
		t:        t,
		Provider: p,
		Config: oauth2.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			Endpoint:     ep,
			RedirectURL:  redirectURL,
			Scopes:       scopes,
		},
		Verifier: p.Verifier(&oidc.Config{ClientID: clientID}),
	}
}

// Flow is one authorization request's secrets.
type Flow struct {
	State, Nonce, Verifier string
	URL                    string
}

// Start builds an authorization URL with state, nonce and a PKCE S256
// challenge; extra adds parameters (prompt, max_age…).
func (rp *RP) Start(extra ...oauth2.AuthCodeOption) Flow {
	f := Flow{State: oauth2.GenerateVerifier(), Nonce: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)}, extra...)
	f.URL = rp.Config.AuthCodeURL(f.State, opts...)
	return f
}

// Callback checks the state of a redirect to the client and returns the code.
func (rp *RP) Callback(f Flow, location string) string {
	rp.t.Helper()
	u, err := url.Parse(location)
	if err != nil {
		rp.t.Fatalf("callback %q: %v", location, err)
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		rp.t.Fatalf("authorization failed: %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != f.State {
		rp.t.Fatalf("state mismatch: got %q", q.Get("state"))
	}
	if q.Get("code") == "" {
		rp.t.Fatalf("no code in %s", location)
	}
	return q.Get("code")
}

// Exchange redeems a code with the flow's PKCE verifier.
func (rp *RP) Exchange(f Flow, code string) (*oauth2.Token, error) {
	return rp.Config.Exchange(context.Background(), code, oauth2.VerifierOption(f.Verifier))
}

// VerifyID verifies the ID token of tok and its nonce, returning its claims.
func (rp *RP) VerifyID(f Flow, tok *oauth2.Token) map[string]any {
	rp.t.Helper()
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		rp.t.Fatal("no id_token in the token response")
	}
	idt, err := rp.Verifier.Verify(context.Background(), raw)
	if err != nil {
		rp.t.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != f.Nonce {
		rp.t.Fatalf("nonce mismatch: %q", idt.Nonce)
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		rp.t.Fatal(err)
	}
	return claims
}

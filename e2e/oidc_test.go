package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestOwnerCodeFlow is the owner's whole journey through the real login
// form: code + PKCE, ID token, userinfo, refresh with rotation and reuse
// detection, revocation, introspection, and client credentials.
func TestOwnerCodeFlow(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		b := s.NewBrowser(t)
		flow := rp.Start()
		p := b.SignIn(flow.URL, ownerEmail, ownerPassword, "")
		if p.Location == "" {
			t.Fatalf("sign-in did not redirect to the client: status %d\n%s", p.Status, p.Body)
		}
		if !strings.HasPrefix(p.Location, panelRedirect+"?") {
			t.Fatalf("redirected to %s, want %s", p.Location, panelRedirect)
		}
		tok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		claims := rp.VerifyID(flow, tok)
		if claims["sub"] != w.OwnerID || claims["account_id"] != w.AccountID || claims["email"] != ownerEmail {
			t.Fatalf("ID token claims = %v", claims)
		}
		if got := toStrings(claims["rights"]); !slices.Contains(got, "members:manage") || !slices.Contains(got, "domain:dns") {
			t.Fatalf("owner rights = %v, want the whole catalog", got)
		}
		if claims["email_verified"] != true || claims["name"] == "" {
			t.Fatalf("ID token claims = %v", claims)
		}

		// The access token is a JWT carrying the same claims plus client_id, scope and jti.
		at := decodeJWT(t, tok.AccessToken)
		if at["typ"] != "at+jwt" {
			t.Errorf("access token typ = %v, want at+jwt", at["typ"])
		}
		for _, c := range []string{"sub", "account_id", "rights", "client_id", "scope", "jti", "email"} {
			if _, ok := at["claims"].(map[string]any)[c]; !ok {
				t.Errorf("access token lacks %q: %v", c, at["claims"])
			}
		}

		ui, err := rp.Provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatalf("userinfo: %v", err)
		}
		var uiClaims map[string]any
		ui.Claims(&uiClaims)
		if ui.Subject != w.OwnerID || uiClaims["account_id"] != w.AccountID {
			t.Fatalf("userinfo = %v", uiClaims)
		}

		if got := introspect(t, s, w, tok.AccessToken); got["active"] != true || got["account_id"] != w.AccountID || got["sub"] != w.OwnerID {
			t.Fatalf("introspection of a fresh access token = %v", got)
		}

		// Refresh rotates: the new pair works, the old refresh token is dead.
		refreshed := refresh(t, rp, tok.RefreshToken)
		if refreshed.err != nil || refreshed.tok.RefreshToken == tok.RefreshToken {
			t.Fatalf("refresh: %v", refreshed.err)
		}
		if _, ok := refreshed.tok.Extra("id_token").(string); !ok {
			t.Fatal("refresh returned no ID token")
		}
		reuse := refresh(t, rp, tok.RefreshToken)
		if reuse.code != "invalid_grant" {
			t.Fatalf("reusing a rotated refresh token: %v, want invalid_grant", reuse.err)
		}
		// Reuse revoked the whole family: the refresh token issued by the
		// rotation no longer works, nor does its access token.
		if r := refresh(t, rp, refreshed.tok.RefreshToken); r.err == nil {
			t.Fatal("the family survived the reuse of a rotated refresh token")
		}
		if got := introspect(t, s, w, refreshed.tok.AccessToken); got["active"] != false {
			t.Fatalf("access token after reuse detection: %v, want inactive", got)
		}

		// A new sign-in (the Sésame session is still there: no form).
		flow2 := rp.Start()
		p2 := b.Get(flow2.URL)
		if p2.Location == "" {
			t.Fatalf("second authorization asked again: %d", p2.Status)
		}
		tok2, err := rp.Exchange(flow2, rp.Callback(flow2, p2.Location))
		if err != nil {
			t.Fatal(err)
		}
		// Revocation (RFC 7009) of the refresh token ends its access token too.
		revoke(t, s, w, tok2.RefreshToken)
		if got := introspect(t, s, w, tok2.AccessToken); got["active"] != false {
			t.Fatalf("access token after revocation: %v", got)
		}
		if r := refresh(t, rp, tok2.RefreshToken); r.code != "invalid_grant" {
			t.Fatalf("refresh after revocation: %v", r.err)
		}

		// Client credentials.
		cc := clientcredentials.Config{ClientID: w.ClientID, ClientSecret: w.Secret, TokenURL: s.URL + "/oauth2/token", Scopes: []string{"sesame:authz"}}
		ccTok, err := cc.Token(context.Background())
		if err != nil {
			t.Fatalf("client credentials: %v", err)
		}
		if got := introspect(t, s, w, ccTok.AccessToken); got["active"] != true || got["sub"] != w.ClientID || got["scope"] != "sesame:authz" {
			t.Fatalf("client credentials token introspection = %v", got)
		}
	})
}

// TestLoginAccountSignIn: a login account signs in with its account ID and
// gets its own sub, account and rights; every wrong combination fails the
// same way.
func TestLoginAccountSignIn(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		ctx := context.Background()
		other, _, err := s.Accounts.CreateAccount(ctx, "Other", "other-owner@example.cm", "Other Owner", ownerPassword)
		if err != nil {
			t.Fatal(err)
		}
		const email, pw = "tech@example.cm", "Serveur#Fiable42"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "server:read", "domain:dns:example.cm")
		// The same email is also a login account elsewhere, with another password.
		m2 := addLoginAccount(t, s, other.ID, email, "Autre&Compte2024", "billing:read")

		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		flow := rp.Start()
		p := s.NewBrowser(t).SignIn(flow.URL, email, pw, strings.ToUpper(w.AccountID))
		tok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
		if err != nil {
			t.Fatal(err)
		}
		claims := rp.VerifyID(flow, tok)
		if claims["sub"] != m.ID || claims["account_id"] != w.AccountID {
			t.Fatalf("claims = %v, want sub %s in %s", claims, m.ID, w.AccountID)
		}
		if got := toStrings(claims["rights"]); !slices.Equal(sorted(got), []string{"domain:dns:example.cm", "server:read"}) {
			t.Fatalf("rights = %v", got)
		}

		flow = rp.Start()
		p = s.NewBrowser(t).SignIn(flow.URL, email, "Autre&Compte2024", other.ID)
		tok, err = rp.Exchange(flow, rp.Callback(flow, p.Location))
		if err != nil {
			t.Fatal(err)
		}
		if claims := rp.VerifyID(flow, tok); claims["sub"] != m2.ID || claims["account_id"] != other.ID {
			t.Fatalf("second account claims = %v", claims)
		}

		failures := []struct {
			name, email, password, accountID string
		}{
			{"password of the other account", email, "Autre&Compte2024", w.AccountID},
			{"wrong account ID", email, pw, "id000001"},
			{"malformed account ID", email, pw, "not-an-id"},
			{"wrong password", email, "Wrong#Password1", w.AccountID},
			{"unknown email", "nobody@example.cm", pw, w.AccountID},
			{"login account without account ID", email, pw, ""},
		}
		var first string
		for _, f := range failures {
			t.Run(f.name, func(t *testing.T) {
				flow := rp.Start()
				p := s.NewBrowser(t).SignIn(flow.URL, f.email, f.password, f.accountID)
				if p.Status != http.StatusUnauthorized || p.Location != "" {
					t.Fatalf("status %d location %q, want 401 and no redirect", p.Status, p.Location)
				}
				msg := errorMessage(p.Body)
				if msg == "" {
					t.Fatalf("no error message:\n%s", p.Body)
				}
				if first == "" {
					first = msg
				} else if msg != first {
					t.Fatalf("message %q differs from %q", msg, first)
				}
			})
		}
	})
}

func errorMessage(body string) string {
	i := strings.Index(body, `role="alert"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	start := strings.Index(rest, ">") + 1
	end := strings.Index(rest, "<")
	if start <= 0 || end < start {
		return ""
	}
	return strings.TrimSpace(rest[start:end])
}

type refreshResult struct {
	tok  *oauth2.Token
	err  error
	code string
}

func refresh(t *testing.T, rp *sesametest.RP, refreshToken string) refreshResult {
	t.Helper()
	tok, err := rp.Config.TokenSource(context.Background(), &oauth2.Token{RefreshToken: refreshToken}).Token()
	r := refreshResult{tok: tok, err: err}
	if re, ok := err.(*oauth2.RetrieveError); ok {
		r.code = re.ErrorCode
	}
	return r
}

func introspect(t *testing.T, s *sesametest.Instance, w world, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(w.ClientID, w.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("introspect: %d %v", resp.StatusCode, err)
	}
	return out
}

func revoke(t *testing.T, s *sesametest.Instance, w world, token string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/oauth2/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(w.ClientID, w.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: status %d", resp.StatusCode)
	}
}

// decodeJWT returns the header's typ and the claims of a JWT, unverified.
func decodeJWT(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64URL(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]any{"typ": header["typ"], "kid": header["kid"], "alg": header["alg"], "claims": claims}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

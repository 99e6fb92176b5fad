package conformance_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// TestSesameRules walks what certification asks of Sésame beyond the
// suite's modules: PKCE as a client registered it, the loopback rule of
// native apps only, the release of rights, empty claims left out, unknown
// scopes ignored.
func TestSesameRules(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	eachOP(t, func(t *testing.T, o *op) {
		ctx := context.Background()

		t.Run("a challenge sent is always enforced", func(t *testing.T) {
			r := o.rp(t, o.basic) // registered with --require-pkce=false
			verifier := oauth2.GenerateVerifier()
			q := r.authRequest(oauth2.S256ChallengeOption(verifier))
			code := r.code(q, o.authorize(t, o.NewBrowser(t), q.url))
			if _, err := r.exchange(code, oauth2.VerifierOption(oauth2.GenerateVerifier())); !isOAuthError(err, "invalid_grant") {
				t.Fatalf("wrong verifier: %v, want invalid_grant", err)
			}
			// The failed attempt did not make the challenge go away.
			if _, err := r.exchange(code); !isOAuthError(err, "invalid_grant") {
				t.Fatalf("no verifier after a failed attempt: %v, want invalid_grant", err)
			}
			r.redeem(q, code, oauth2.VerifierOption(verifier))
		})

		t.Run("introspection: each client with its registered method", func(t *testing.T) {
			tok := o.rp(t, o.post).signIn(o.NewBrowser(t))
			endpoint := o.discovered["introspection_endpoint"].(string)
			for _, tc := range []struct {
				name   string
				c      client
				inForm bool
				status int
			}{
				{"client_secret_post in the form", o.post, true, http.StatusOK},
				{"client_secret_post with Basic", o.post, false, http.StatusUnauthorized},
				{"client_secret_basic in the form", o.basic, true, http.StatusUnauthorized},
			} {
				form := url.Values{"token": {tok.AccessToken}}
				if tc.inForm {
					form.Set("client_id", tc.c.id)
					form.Set("client_secret", tc.c.secret)
				}
				req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if !tc.inForm {
					req.SetBasicAuth(tc.c.id, tc.c.secret)
				}
				status, vals := jsonError(t, req)
				if status != tc.status {
					t.Errorf("%s: %d %v, want %d", tc.name, status, vals, tc.status)
				}
				if tc.status == http.StatusOK && vals["sub"] != o.ownerID {
					t.Errorf("%s: %v, want the token active", tc.name, vals)
				}
			}
		})

		t.Run("PKCE required by default", func(t *testing.T) {
			secret, _ := sqlstore.NewClientSecret()
			if err := o.Clients.CreateClient(ctx, &sqlstore.Client{ID: "default", Name: "Défaut", RedirectURIs: []string{redirectURI},
				Scopes: []string{"openid"}, IsFirstParty: true}, secret); err != nil {
				t.Fatal(err)
			}
			if err := o.Clients.CreateClient(ctx, &sqlstore.Client{ID: "spa", Name: "SPA", RedirectURIs: []string{redirectURI},
				Public: true, PKCEOptional: true}, ""); err == nil {
				t.Fatal("a public client was registered without PKCE")
			}
			r := o.rp(t, client{id: "default", secret: secret, style: oauth2.AuthStyleInHeader})
			b := o.NewBrowser(t)
			q := r.authRequest()
			p := b.Get(q.url)
			r.authError(q, callback(t, p.Location), "invalid_request")
			verifier := oauth2.GenerateVerifier()
			q = r.authRequest(oauth2.S256ChallengeOption(verifier))
			code := r.code(q, o.authorize(t, b, q.url))
			if _, err := r.exchange(code); !isOAuthError(err, "invalid_grant") {
				t.Fatalf("no verifier: %v, want invalid_grant", err)
			}
			r.redeem(q, code, oauth2.VerifierOption(verifier))
		})

		t.Run("loopback redirect URIs: any port for public clients only", func(t *testing.T) {
			loop := "http://127.0.0.1:5000/cb"
			confidential := o.register(t, &sqlstore.Client{ID: "cli-conf", Name: "CLI", RedirectURIs: []string{loop}, IsFirstParty: true})
			if err := o.Clients.CreateClient(ctx, &sqlstore.Client{ID: "cli-pub", Name: "CLI", RedirectURIs: []string{loop},
				Public: true, IsFirstParty: true, Scopes: []string{"openid"}}, ""); err != nil {
				t.Fatal(err)
			}
			b := o.NewBrowser(t)
			o.rp(t, o.basic).signIn(b)
			other := "http://127.0.0.1:6001/cb"
			for _, tc := range []struct {
				client client
				ok     bool
			}{{confidential, false}, {client{id: "cli-pub"}, true}} {
				r := o.rp(t, tc.client)
				r.cfg.RedirectURL = other
				q := r.authRequest(oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
				p := b.Get(q.url)
				if got := strings.HasPrefix(p.Location, other+"?code="); got != tc.ok {
					t.Errorf("%s to another port: %d → %q", tc.client.id, p.Status, p.Location)
				}
				if !tc.ok && (p.Location != "" || p.Status != http.StatusBadRequest) {
					t.Errorf("%s: want the error page, got %d → %q", tc.client.id, p.Status, p.Location)
				}
			}
		})

		t.Run("rights: first party always, third party when its consent page listed them", func(t *testing.T) {
			first := o.register(t, &sqlstore.Client{ID: "panel", Name: "Panneau", IsFirstParty: true})
			tok := o.rp(t, first).signIn(o.NewBrowser(t))
			if !slices.Contains(strs(tok.claims["rights"]), "domain:dns") {
				t.Fatalf("first-party ID token rights = %v", tok.claims["rights"])
			}

			third := o.register(t, &sqlstore.Client{ID: "outil", Name: "Outil tiers"})
			r := o.rp(t, third)
			b := o.NewBrowser(t)
			q := r.authRequest()
			p := b.Submit(b.Get(q.url), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
			if !strings.Contains(p.Body, "connaître vos droits dans ce compte") {
				t.Fatalf("the consent page does not list the rights:\n%s", p.Body)
			}
			p = b.SubmitAction(p, "/oauth2/auth/consent", url.Values{"decision": {"allow"}})
			tok = r.redeem(q, r.code(q, callback(t, p.Location)))
			if !slices.Contains(strs(tok.claims["rights"]), "domain:dns") {
				t.Fatalf("third-party ID token after consent: rights = %v", tok.claims["rights"])
			}

			// A plain OAuth request (no openid): the consent page lists no
			// rights, and the access token carries none.
			plain := o.rp(t, o.register(t, &sqlstore.Client{ID: "robot", Name: "Robot"}), "profile")
			q = plain.authRequest()
			p = b.Get(q.url)
			if strings.Contains(p.Body, "connaître vos droits") {
				t.Fatal("rights listed for a request without openid")
			}
			p = b.SubmitAction(p, "/oauth2/auth/consent", url.Values{"decision": {"allow"}})
			at, err := plain.exchange(plain.code(q, callback(t, p.Location)))
			if err != nil {
				t.Fatal(err)
			}
			claims := jwtClaims(t, at.AccessToken)
			if claims["rights"] != nil || claims["name"] != ownerName {
				t.Fatalf("access token of a plain OAuth request = %v", claims)
			}
		})

		t.Run("empty claims are left out; unknown scopes ignored", func(t *testing.T) {
			hash, err := o.Accounts.Hasher().Hash(ctx, ownerPassword)
			if err != nil {
				t.Fatal(err)
			}
			m, err := o.Accounts.CreateMember(ctx, o.accountID, "sans-nom@example.cm", "", account.StatusActive, hash)
			if err != nil {
				t.Fatal(err)
			}
			r := o.rp(t, o.register(t, &sqlstore.Client{ID: "panel-2", Name: "Panneau", IsFirstParty: true}), "openid", "profile", "email", "bogus", "sesame:inconnu")
			b := o.NewBrowser(t)
			q := r.authRequest()
			p := b.SignIn(q.url, m.Email, ownerPassword, o.accountID)
			tok := r.redeem(q, r.code(q, callback(t, p.Location)))
			for _, c := range []string{"name", "rights"} {
				if v, ok := tok.claims[c]; ok {
					t.Errorf("%s = %v, want no claim", c, v)
				}
			}
			if tok.claims["email"] != m.Email {
				t.Errorf("email = %v", tok.claims["email"])
			}
			if got := tok.Extra("scope"); got != "openid profile email" {
				t.Errorf("granted scope = %q, want the known ones", got)
			}
		})
	})
}

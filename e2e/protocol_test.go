package e2e_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// signedInCode runs a sign-in and returns the flow and its code, unredeemed.
func signedInCode(t *testing.T, w world, rp *sesametest.RP, b *sesametest.Browser) (sesametest.Flow, string) {
	t.Helper()
	flow := rp.Start()
	p := b.SignIn(flow.URL, ownerEmail, ownerPassword, "")
	return flow, rp.Callback(flow, p.Location)
}

func TestProtocolNegatives(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		b := s.NewBrowser(t)

		t.Run("unregistered redirect URI shows a page and never redirects", func(t *testing.T) {
			evil := s.NewRP(t, w.ClientID, w.Secret, "https://evil.example/callback")
			p := s.NewBrowser(t).Get(evil.Start().URL)
			if p.Location != "" || p.Status != http.StatusBadRequest {
				t.Fatalf("status %d location %q", p.Status, p.Location)
			}
			if !strings.Contains(p.Body, "<html") || strings.Contains(p.Body, `href="https://evil`) {
				t.Fatalf("want an HTML error page that does not echo the URI:\n%s", p.Body)
			}
		})

		t.Run("prompt=none without a session returns login_required", func(t *testing.T) {
			flow := rp.Start(oauth2.SetAuthURLParam("prompt", "none"))
			p := s.NewBrowser(t).Get(flow.URL)
			u, err := url.Parse(p.Location)
			if err != nil || !strings.HasPrefix(p.Location, panelRedirect) || u.Query().Get("error") != "login_required" {
				t.Fatalf("location %q, want %s?error=login_required", p.Location, panelRedirect)
			}
		})

		t.Run("missing PKCE verifier", func(t *testing.T) {
			_, code := signedInCode(t, w, rp, b)
			_, err := rp.Config.Exchange(context.Background(), code)
			assertOAuthError(t, err, "invalid_grant")
		})

		t.Run("wrong PKCE verifier", func(t *testing.T) {
			_, code := signedInCode(t, w, rp, b)
			_, err := rp.Config.Exchange(context.Background(), code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
			assertOAuthError(t, err, "invalid_grant")
		})

		t.Run("plain PKCE method refused", func(t *testing.T) {
			u := rp.Config.AuthCodeURL(oauth2.GenerateVerifier(), oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)),
				oauth2.SetAuthURLParam("code_challenge_method", "plain"), oauth2.SetAuthURLParam("nonce", oauth2.GenerateVerifier()))
			p := b.Get(u)
			if loc, _ := url.Parse(p.Location); loc == nil || loc.Query().Get("error") == "" {
				t.Fatalf("plain PKCE accepted: %d %q", p.Status, p.Location)
			}
		})

		t.Run("public client without PKCE refused", func(t *testing.T) {
			createClient(t, s, &sqlstore.Client{ID: "spa", Name: "SPA", Public: true, IsFirstParty: true, RedirectURIs: []string{"http://spa.localhost/cb"},
				Scopes: []string{"openid"}})
			spa := s.NewRP(t, "spa", "", "http://spa.localhost/cb", "openid")
			u := spa.Config.AuthCodeURL(oauth2.GenerateVerifier(), oauth2.SetAuthURLParam("nonce", oauth2.GenerateVerifier()))
			p := b.Get(u)
			if loc, _ := url.Parse(p.Location); loc == nil || loc.Query().Get("error") != "invalid_request" {
				t.Fatalf("public client without PKCE: %d %q", p.Status, p.Location)
			}
		})

		t.Run("reused code is refused and revokes the first tokens", func(t *testing.T) {
			flow, code := signedInCode(t, w, rp, b)
			tok, err := rp.Exchange(flow, code)
			if err != nil {
				t.Fatal(err)
			}
			_, err = rp.Exchange(flow, code)
			assertOAuthError(t, err, "invalid_grant")
			if got := introspect(t, s, w, tok.AccessToken); got["active"] != false {
				t.Fatalf("first access token still active after code reuse: %v", got)
			}
			if r := refresh(t, rp, tok.RefreshToken); r.err == nil {
				t.Fatal("first refresh token still works after code reuse")
			}
		})

		t.Run("concurrent redemptions of one code: exactly one succeeds", func(t *testing.T) {
			flow, code := signedInCode(t, w, rp, b)
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = rp.Exchange(flow, code)
				}()
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				}
			}
			if ok != 1 {
				t.Fatalf("%d of %d concurrent redemptions succeeded, want exactly 1 (errors: %v)", ok, n, errs)
			}
		})

		t.Run("prompt=login asks for the password again", func(t *testing.T) {
			flow := rp.Start(oauth2.SetAuthURLParam("prompt", "login"))
			p := b.Get(flow.URL) // b is signed in
			if p.Location != "" || !strings.Contains(p.Body, `name="password"`) {
				t.Fatalf("prompt=login did not show the login form: %d %q", p.Status, p.Location)
			}
			p = b.Submit(p, "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
			if _, err := rp.Exchange(flow, rp.Callback(flow, p.Location)); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("max_age=0 asks for the password again", func(t *testing.T) {
			flow := rp.Start(oauth2.SetAuthURLParam("max_age", "0"))
			p := b.Get(flow.URL)
			if p.Location != "" {
				t.Fatalf("max_age=0 reused the session: %q", p.Location)
			}
		})

		t.Run("login form without CSRF token is refused", func(t *testing.T) {
			p := s.NewBrowser(t).Post("/login", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
			if p.Status != http.StatusForbidden || p.Location != "" {
				t.Fatalf("status %d, want 403", p.Status)
			}
		})

		t.Run("the CSRF failure speaks the reader's language", func(t *testing.T) {
			for _, tc := range []struct {
				name, acceptLanguage, query, want string
			}{
				{"English browser", "en-GB,en;q=0.9", "", "The form expired or is not valid"},
				{"French browser", "fr-CM", "", "Le formulaire a expiré ou n&#39;est pas valide"},
				{"explicit choice", "fr-CM", "?lang=en", "The form expired or is not valid"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					req, _ := http.NewRequest(http.MethodPost, s.URL+"/login"+tc.query, strings.NewReader("email=x"))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Accept-Language", tc.acceptLanguage)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					defer resp.Body.Close()
					body, _ := io.ReadAll(resp.Body)
					if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), tc.want) {
						t.Fatalf("status %d, want 403 with %q:\n%s", resp.StatusCode, tc.want, body)
					}
				})
			}
		})
	})
}

func assertOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	re, ok := err.(*oauth2.RetrieveError)
	if !ok {
		t.Fatalf("error = %v, want OAuth error %s", err, code)
	}
	if re.ErrorCode != code {
		t.Fatalf("error code = %q (%s), want %q", re.ErrorCode, re.ErrorDescription, code)
	}
}

package conformance_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// TestBasicOP walks the modules of the suite's Basic OP plan (response
// type code, client_secret_basic, default response mode; and
// oidcc-server-client-secret-post with client_secret_post).
func TestBasicOP(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	eachOP(t, func(t *testing.T, o *op) {
		t.Run("oidcc-server", func(t *testing.T) {
			r := o.rp(t, o.basic)
			tok := r.signIn(o.NewBrowser(t))
			if tok.claims["sub"] != o.ownerID || tok.claims["account_id"] != o.accountID || tok.claims["auth_time"] == nil {
				t.Fatalf("ID token claims = %v", tok.claims)
			}
			if tok.TokenType != "bearer" && tok.TokenType != "Bearer" {
				t.Fatalf("token_type = %q", tok.TokenType)
			}
		})

		t.Run("oidcc-server-client-secret-post", func(t *testing.T) {
			r := o.rp(t, o.post)
			b := o.NewBrowser(t)
			r.signIn(b)
			// Exactly its registered method: the same client with HTTP
			// Basic is refused.
			basic := o.rp(t, client{id: o.post.id, secret: o.post.secret, style: oauth2.AuthStyleInHeader})
			q := basic.authRequest()
			if _, err := basic.exchange(basic.code(q, o.authorize(t, b, q.url))); !isOAuthError(err, "invalid_client") {
				t.Fatalf("client_secret_post client using Basic: %v, want invalid_client", err)
			}
			// And a client_secret_basic client may not post its secret.
			post := o.rp(t, client{id: o.basic.id, secret: o.basic.secret, style: oauth2.AuthStyleInParams})
			q = post.authRequest()
			if _, err := post.exchange(post.code(q, o.authorize(t, b, q.url))); !isOAuthError(err, "invalid_client") {
				t.Fatalf("client_secret_basic client posting its secret: %v, want invalid_client", err)
			}
		})

		t.Run("oidcc-response-type-missing", func(t *testing.T) {
			r := o.rp(t, o.basic)
			q := r.authRequest()
			u, _ := url.Parse(q.url)
			v := u.Query()
			v.Del("response_type")
			u.RawQuery = v.Encode()
			p := o.NewBrowser(t).Get(u.String())
			r.authError(q, callback(t, p.Location), "invalid_request", "unsupported_response_type")
		})

		t.Run("oidcc-idtoken-signature", func(t *testing.T) {
			tok := o.rp(t, o.basic).signIn(o.NewBrowser(t))
			h := jwtHeader(t, tok.raw)
			if h["alg"] != "RS256" || h["kid"] == nil {
				t.Fatalf("ID token header = %v, want RS256 with a kid", h)
			}
			if !slices.Contains(strs(o.discovered["id_token_signing_alg_values_supported"]), "RS256") {
				t.Fatalf("id_token_signing_alg_values_supported = %v", o.discovered["id_token_signing_alg_values_supported"])
			}
		})

		t.Run("oidcc-idtoken-unsigned", func(t *testing.T) {
			// Skipped by the suite: "none" is not offered.
			if slices.Contains(strs(o.discovered["id_token_signing_alg_values_supported"]), "none") {
				t.Fatal("discovery offers unsigned ID tokens")
			}
		})

		for _, how := range []string{"get", "post-header", "post-body"} {
			t.Run("oidcc-userinfo-"+how, func(t *testing.T) {
				r := o.rp(t, o.basic, "openid", "email")
				tok := r.signIn(o.NewBrowser(t))
				status, ui := r.userinfo(tok.AccessToken, how)
				if status != http.StatusOK || ui["sub"] != tok.claims["sub"] || ui["email"] != ownerEmail {
					t.Fatalf("userinfo (%s): %d %v", how, status, ui)
				}
			})
		}

		t.Run("oidcc-ensure-request-without-nonce-succeeds-for-code-flow", func(t *testing.T) {
			r := o.rp(t, o.basic)
			state := oauth2.GenerateVerifier()
			cb := o.authorize(t, o.NewBrowser(t), r.cfg.AuthCodeURL(state))
			tok, err := r.exchange(r.code(request{state: state}, cb))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.verify(tok, ""); got.claims["nonce"] != nil {
				t.Fatalf("nonce without one requested: %v", got.claims["nonce"])
			}
		})

		scopeCases := []struct {
			module  string
			scopes  []string
			want    []string
			without []string
		}{
			{"oidcc-scope-profile", []string{"openid", "profile"}, []string{"name"}, []string{"email", "email_verified"}},
			{"oidcc-scope-email", []string{"openid", "email"}, []string{"email", "email_verified"}, []string{"name"}},
			// address and phone are not in scopes_supported: the suite
			// skips these; Sésame ignores the unknown scopes.
			{"oidcc-scope-address", []string{"openid", "address"}, nil, []string{"address", "name", "email"}},
			{"oidcc-scope-phone", []string{"openid", "phone"}, nil, []string{"phone_number", "name", "email"}},
			{"oidcc-scope-all", []string{"openid", "email", "phone", "address", "profile"}, []string{"name", "email", "email_verified"}, []string{"phone_number", "address"}},
		}
		for _, tc := range scopeCases {
			t.Run(tc.module, func(t *testing.T) {
				for _, sc := range tc.scopes {
					supported := slices.Contains(strs(o.discovered["scopes_supported"]), sc)
					if supported != (sc != "address" && sc != "phone") {
						t.Fatalf("scopes_supported %v and %s", o.discovered["scopes_supported"], sc)
					}
				}
				r := o.rp(t, o.basic, tc.scopes...)
				tok := r.signIn(o.NewBrowser(t))
				granted := strings.Fields(tok.Extra("scope").(string))
				_, ui := r.userinfo(tok.AccessToken, "get")
				for _, c := range tc.want {
					if tok.claims[c] == nil || ui[c] == nil {
						t.Errorf("%s missing: ID token %v, userinfo %v", c, tok.claims, ui)
					}
				}
				for _, c := range tc.without {
					if tok.claims[c] != nil || ui[c] != nil {
						t.Errorf("%s released without its scope: ID token %v, userinfo %v", c, tok.claims, ui)
					}
				}
				for _, sc := range granted {
					if sc == "address" || sc == "phone" {
						t.Errorf("granted scope %q, which Sésame does not serve", sc)
					}
				}
			})
		}

		t.Run("oidcc-alternate-happy-flow", func(t *testing.T) {
			r := o.rp(t, o.basic, "openid", "email", "profile")
			tok := r.signIn(o.NewBrowser(t))
			if tok.claims["name"] != ownerName || tok.claims["email"] != ownerEmail {
				t.Fatalf("claims = %v", tok.claims)
			}
		})

		for _, display := range []string{"page", "popup"} {
			t.Run("oidcc-display-"+display, func(t *testing.T) {
				o.rp(t, o.basic).signIn(o.NewBrowser(t), oauth2.SetAuthURLParam("display", display))
			})
		}

		t.Run("oidcc-prompt-login", func(t *testing.T) {
			r := o.rp(t, o.basic)
			b := o.NewBrowser(t)
			first := r.signIn(b)
			q := r.authRequest(oauth2.SetAuthURLParam("prompt", "login"))
			if p := b.Get(q.url); p.Location != "" || !strings.Contains(p.Body, `name="password"`) {
				t.Fatalf("prompt=login did not ask to sign in again: %d %s", p.Status, p.Location)
			}
			second := r.redeem(q, r.code(q, o.authorize(t, b, q.url)))
			if authTime(second) < authTime(first) {
				t.Fatalf("auth_time %v then %v", authTime(first), authTime(second))
			}
		})

		t.Run("oidcc-prompt-none-not-logged-in", func(t *testing.T) {
			r := o.rp(t, o.basic)
			q := r.authRequest(oauth2.SetAuthURLParam("prompt", "none"))
			p := o.NewBrowser(t).Get(q.url)
			r.authError(q, callback(t, p.Location), "login_required", "interaction_required", "consent_required")
		})

		t.Run("oidcc-prompt-none-logged-in", func(t *testing.T) {
			r := o.rp(t, o.basic)
			b := o.NewBrowser(t)
			r.signIn(b)
			q := r.authRequest(oauth2.SetAuthURLParam("prompt", "none"))
			p := b.Get(q.url)
			r.redeem(q, r.code(q, callback(t, p.Location)))
		})

		t.Run("oidcc-max-age-1", func(t *testing.T) {
			r := o.rp(t, o.basic)
			b := o.NewBrowser(t)
			first := r.signIn(b)
			time.Sleep(1100 * time.Millisecond) // as the suite waits
			q := r.authRequest(oauth2.SetAuthURLParam("max_age", "1"))
			if p := b.Get(q.url); !strings.Contains(p.Body, `name="password"`) {
				t.Fatalf("max_age=1 after 2 s did not ask to sign in again: %d %s", p.Status, p.Location)
			}
			second := r.redeem(q, r.code(q, o.authorize(t, b, q.url)))
			if authTime(second) <= authTime(first) {
				t.Fatalf("auth_time %v then %v", authTime(first), authTime(second))
			}
		})

		t.Run("oidcc-max-age-10000", func(t *testing.T) {
			r := o.rp(t, o.basic)
			b := o.NewBrowser(t)
			first := r.signIn(b)
			q := r.authRequest(oauth2.SetAuthURLParam("max_age", "10000"))
			p := b.Get(q.url)
			second := r.redeem(q, r.code(q, callback(t, p.Location)))
			if authTime(second) != authTime(first) {
				t.Fatalf("auth_time %v then %v", authTime(first), authTime(second))
			}
		})

		t.Run("oidcc-ensure-request-with-unknown-parameter-succeeds", func(t *testing.T) {
			o.rp(t, o.basic).signIn(o.NewBrowser(t), oauth2.SetAuthURLParam("extra", "foobar"))
		})

		t.Run("oidcc-id-token-hint", func(t *testing.T) {
			r := o.rp(t, o.basic)
			b := o.NewBrowser(t)
			first := r.signIn(b)
			q := r.authRequest(oauth2.SetAuthURLParam("prompt", "none"), oauth2.SetAuthURLParam("id_token_hint", first.raw))
			second := r.redeem(q, r.code(q, callback(t, b.Get(q.url).Location)))
			if second.claims["sub"] != first.claims["sub"] {
				t.Fatalf("sub %v then %v", first.claims["sub"], second.claims["sub"])
			}
		})

		t.Run("oidcc-login-hint", func(t *testing.T) {
			r := o.rp(t, o.basic)
			q := r.authRequest(oauth2.SetAuthURLParam("login_hint", ownerEmail))
			b := o.NewBrowser(t)
			if p := b.Get(q.url); !strings.Contains(p.Body, `value="`+ownerEmail+`"`) {
				t.Fatalf("the login form is not filled in with the hint")
			}
			r.redeem(q, r.code(q, o.authorize(t, b, q.url)))
		})

		t.Run("oidcc-ui-locales", func(t *testing.T) {
			// Fresh clients, so that their consent pages show.
			r := o.rp(t, o.register(t, &sqlstore.Client{ID: "suite-locales", Name: "Locales"}))
			b := o.NewBrowser(t) // its Accept-Language asks for French
			q := r.authRequest(oauth2.SetAuthURLParam("ui_locales", "en-GB fr"))
			p := b.Get(q.url)
			if !strings.Contains(p.Body, `<html lang="en">`) {
				t.Fatalf("login page not in English with ui_locales=en-GB")
			}
			p = b.Submit(p, "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
			if !strings.Contains(p.Body, `action="/oauth2/auth/consent"`) || !strings.Contains(p.Body, `<html lang="en">`) {
				t.Fatalf("consent page not in English with ui_locales=en-GB: %d", p.Status)
			}
			// A signed-in person meeting a consent page: ui_locales too.
			q = o.rp(t, o.register(t, &sqlstore.Client{ID: "suite-locales-2", Name: "Locales"})).authRequest(oauth2.SetAuthURLParam("ui_locales", "en"))
			b2 := o.NewBrowser(t)
			b2.Submit(b2.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
			if p := b2.Get(q.url); !strings.Contains(p.Body, `action="/oauth2/auth/consent"`) || !strings.Contains(p.Body, `<html lang="en">`) {
				t.Fatalf("consent page not in English with ui_locales=en")
			}
		})

		t.Run("oidcc-claims-locales", func(t *testing.T) {
			o.rp(t, o.basic).signIn(o.NewBrowser(t), oauth2.SetAuthURLParam("claims_locales", "se"))
		})

		t.Run("oidcc-ensure-request-with-acr-values-succeeds", func(t *testing.T) {
			// Values Sésame does not offer are ignored (a voluntary claim):
			// a password-only sign-in carries no acr at all.
			tok := o.rp(t, o.basic).signIn(o.NewBrowser(t), oauth2.SetAuthURLParam("acr_values", "1 2"))
			if tok.claims["acr"] != nil {
				t.Fatalf("acr = %v, which means nothing", tok.claims["acr"])
			}
		})

		t.Run("oidcc-codereuse", func(t *testing.T) {
			r := o.rp(t, o.basic)
			q := r.authRequest()
			code := r.code(q, o.authorize(t, o.NewBrowser(t), q.url))
			r.redeem(q, code)
			if _, err := r.exchange(code); !isOAuthError(err, "invalid_grant") {
				t.Fatalf("second redemption: %v, want invalid_grant", err)
			}
		})

		t.Run("oidcc-codereuse-30seconds", func(t *testing.T) {
			r := o.rp(t, o.basic)
			q := r.authRequest()
			code := r.code(q, o.authorize(t, o.NewBrowser(t), q.url))
			tok := r.redeem(q, code)
			// The suite waits 30 s: the code lives 5 min, and redeemed
			// codes stay refused whatever the delay.
			if _, err := r.exchange(code); !isOAuthError(err, "invalid_grant") {
				t.Fatalf("second redemption: %v, want invalid_grant", err)
			}
			// The reuse revoked what the first redemption issued.
			if status, _ := r.userinfo(tok.AccessToken, "get"); status/100 != 4 {
				t.Fatalf("access token of a reused code: userinfo %d, want 4xx", status)
			}
		})

		t.Run("oidcc-ensure-registered-redirect-uri", func(t *testing.T) {
			r := o.rp(t, o.basic)
			r.cfg.RedirectURL = "https://rp.example/not-registered"
			p := o.NewBrowser(t).Get(r.authRequest().url)
			if p.Location != "" || p.Status != http.StatusBadRequest {
				t.Fatalf("unregistered redirect URI: %d → %q, want an error page", p.Status, p.Location)
			}
		})

		t.Run("oidcc-ensure-post-request-succeeds", func(t *testing.T) {
			r := o.rp(t, o.basic)
			q := r.authRequest()
			u, _ := url.Parse(q.url)
			b := o.NewBrowser(t)
			b.Submit(b.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
			p := b.Post(o.discovered["authorization_endpoint"].(string), u.Query())
			if p.Location == "" { // the consent page
				p = b.SubmitAction(p, "/oauth2/auth/consent", url.Values{"decision": {"allow"}})
			}
			r.redeem(q, r.code(q, callback(t, p.Location)))
		})

		t.Run("oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported", func(t *testing.T) {
			if o.discovered["request_uri_parameter_supported"] != false {
				t.Fatalf("request_uri_parameter_supported = %v, want false", o.discovered["request_uri_parameter_supported"])
			}
			r := o.rp(t, o.basic)
			q := r.authRequest(oauth2.SetAuthURLParam("request_uri", "https://rp.example/request.jwt"))
			r.authError(q, callback(t, o.NewBrowser(t).Get(q.url).Location), "request_uri_not_supported")
		})

		t.Run("oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported", func(t *testing.T) {
			if o.discovered["request_parameter_supported"] != false {
				t.Fatalf("request_parameter_supported = %v, want false", o.discovered["request_parameter_supported"])
			}
			r := o.rp(t, o.basic)
			q := r.authRequest(oauth2.SetAuthURLParam("request", unsignedRequestObject(r)))
			r.authError(q, callback(t, o.NewBrowser(t).Get(q.url).Location), "request_not_supported")
			// Before the redirect URI is known to be registered, no redirect.
			r.cfg.RedirectURL = "https://evil.example/cb"
			if p := o.NewBrowser(t).Get(r.authRequest(oauth2.SetAuthURLParam("request", unsignedRequestObject(r))).url); p.Location != "" {
				t.Fatalf("request object with an unregistered redirect URI redirected to %s", p.Location)
			}
		})

		t.Run("oidcc-ensure-request-object-with-redirect-uri", func(t *testing.T) {
			// Skipped by the suite: no unsigned request objects offered.
			if slices.Contains(strs(o.discovered["request_object_signing_alg_values_supported"]), "none") {
				t.Fatal("discovery offers unsigned request objects")
			}
		})

		t.Run("oidcc-claims-essential", func(t *testing.T) {
			// The claims parameter is not supported (claims_parameter_supported
			// false): the request succeeds; name comes with the profile scope.
			r := o.rp(t, o.basic)
			tok := r.signIn(o.NewBrowser(t), oauth2.SetAuthURLParam("claims", `{"userinfo":{"name":{"essential":true}}}`))
			if status, ui := r.userinfo(tok.AccessToken, "get"); status != http.StatusOK || ui["sub"] != o.ownerID {
				t.Fatalf("userinfo: %d %v", status, ui)
			}
		})

		t.Run("oidcc-refresh-token", func(t *testing.T) {
			r := o.rp(t, o.basic, "openid", "offline_access")
			first := r.signIn(o.NewBrowser(t), oauth2.SetAuthURLParam("prompt", "consent"))
			if first.RefreshToken == "" {
				t.Fatal("no refresh token with offline_access")
			}
			first.Expiry = time.Now().Add(-time.Minute)
			tok, err := r.cfg.TokenSource(context.Background(), first.Token).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if raw, ok := tok.Extra("id_token").(string); ok {
				idt, err := r.verifier.Verify(context.Background(), raw)
				if err != nil || idt.Subject != first.id.Subject {
					t.Fatalf("refreshed ID token: %v, sub %v", err, idt)
				}
			}
			if status, _ := r.userinfo(tok.AccessToken, "get"); status != http.StatusOK {
				t.Fatalf("userinfo with the refreshed token: %d", status)
			}
		})

		t.Run("oidcc-ensure-request-with-valid-pkce-succeeds", func(t *testing.T) {
			r := o.rp(t, o.basic)
			verifier := oauth2.GenerateVerifier()
			q := r.authRequest(oauth2.S256ChallengeOption(verifier))
			r.redeem(q, r.code(q, o.authorize(t, o.NewBrowser(t), q.url)), oauth2.VerifierOption(verifier))
		})
	})
}

func authTime(t tokens) float64 {
	f, _ := t.claims["auth_time"].(float64)
	return f
}

func isOAuthError(err error, code string) bool {
	re, ok := err.(*oauth2.RetrieveError)
	return ok && re.ErrorCode == code
}

// unsignedRequestObject is a request object with alg none (OIDC Core §6.1).
func unsignedRequestObject(r *rp) string {
	header := b64(`{"alg":"none"}`)
	claims := b64(`{"iss":"` + r.cfg.ClientID + `","aud":"` + r.o.URL + `","response_type":"code","client_id":"` +
		r.cfg.ClientID + `","redirect_uri":"` + r.cfg.RedirectURL + `","scope":"openid"}`)
	return header + "." + claims + "."
}

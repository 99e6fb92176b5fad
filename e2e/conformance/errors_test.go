package conformance_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestErrorTextIsASCII walks every error path of the protocol endpoints
// and checks that error_description (and error_uri, if any) hold only
// the characters of RFC 6749 §4.1.2.1 and §5.2: %x20-21 / %x23-5B /
// %x5D-7E. Several requests carry non-ASCII values that fosite's hints
// would quote.
func TestErrorTextIsASCII(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	eachOP(t, func(t *testing.T, o *op) {
		strict := o.register(t, &sqlstore.Client{ID: "strict", Name: "Strict"})
		// strict must use PKCE: register made it optional.
		if err := o.Clients.DeleteClient(t.Context(), "strict"); err != nil {
			t.Fatal(err)
		}
		if err := o.Clients.CreateClient(t.Context(), &sqlstore.Client{ID: "strict", Name: "Strict", RedirectURIs: []string{redirectURI},
			Scopes: []string{"openid"}}, strict.secret); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		check := func(t *testing.T, path string, vals map[string]string) {
			t.Helper()
			if vals["error"] == "" {
				t.Fatalf("%s: no error: %v", path, vals)
			}
			seen[vals["error"]] = true
			checkASCII(t, path+" error_description", vals["error_description"])
			checkASCII(t, path+" error_uri", vals["error_uri"])
		}

		t.Run("authorization endpoint", func(t *testing.T) {
			r := o.rp(t, o.basic)
			signedIn := o.NewBrowser(t)
			r.signIn(signedIn)
			third := o.rp(t, o.register(t, &sqlstore.Client{ID: "never-allowed", Name: "Jamais"}))
			cases := []struct {
				name string
				b    *sesametest.Browser
				r    *rp
				opts []oauth2.AuthCodeOption
			}{
				{"login_required", o.NewBrowser(t), r, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "none")}},
				{"consent_required", signedIn, third, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "none")}},
				{"unknown prompt", signedIn, r, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "connexion-forcée\\\"")}},
				{"unsupported response_type", signedIn, r, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("response_type", "jeton-é")}},
				{"response_mode", signedIn, r, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("response_mode", "form_post")}},
				{"request", signedIn, r, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("request", "e30.e30.")}},
				{"request_uri", signedIn, r, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("request_uri", "https://rp.example/é")}},
				{"PKCE required", signedIn, o.rp(t, strict), nil},
				{"plain PKCE", signedIn, o.rp(t, strict), []oauth2.AuthCodeOption{
					oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)), oauth2.SetAuthURLParam("code_challenge_method", "plain")}},
				{"unknown PKCE method", signedIn, r, []oauth2.AuthCodeOption{
					oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)), oauth2.SetAuthURLParam("code_challenge_method", "S-é")}},
			}
			for _, tc := range cases {
				q := tc.r.authRequest(tc.opts...)
				p := tc.b.Get(q.url)
				if p.Location == "" {
					t.Errorf("%s: no redirect (%d)", tc.name, p.Status)
					continue
				}
				cb := callback(t, p.Location)
				tc.r.authError(q, cb, cb.Query().Get("error"))
				check(t, "authorize ("+tc.name+")", flat(cb.Query()))
			}
			// The person refuses on the consent page.
			q := third.authRequest()
			p := signedIn.Get(q.url)
			p = signedIn.SubmitAction(p, "/oauth2/auth/consent", url.Values{"decision": {"deny"}})
			cb := callback(t, p.Location)
			third.authError(q, cb, "access_denied")
			check(t, "authorize (denied)", flat(cb.Query()))
		})

		token := o.discovered["token_endpoint"].(string)
		t.Run("token endpoint", func(t *testing.T) {
			r := o.rp(t, o.basic)
			q := r.authRequest()
			code := r.code(q, o.authorize(t, o.NewBrowser(t), q.url))
			sq := o.rp(t, strict).authRequest(oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
			b := o.NewBrowser(t)
			strictCode := o.rp(t, strict).code(sq, o.authorize(t, b, sq.url))
			cases := []struct {
				name         string
				id, secret   string
				inForm       bool
				form         url.Values
				wantError    string
				wantStatusIn []int
			}{
				{"wrong secret", o.basic.id, "é-not-the-secret", false, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}, "invalid_client", nil},
				{"unknown client", "inconnu-é", "x", false, url.Values{"grant_type": {"client_credentials"}}, "invalid_client", nil},
				{"secret in the form for a basic client", o.basic.id, o.basic.secret, true, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}, "invalid_client", nil},
				{"unsupported grant", o.basic.id, o.basic.secret, false, url.Values{"grant_type": {"mot-de-passe-é"}}, "", nil},
				{"bad code", o.basic.id, o.basic.secret, false, url.Values{"grant_type": {"authorization_code"}, "code": {"é.é"}, "redirect_uri": {redirectURI}}, "", nil},
				{"no code", o.basic.id, o.basic.secret, false, url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {redirectURI}}, "", nil},
				{"wrong redirect_uri", o.basic.id, o.basic.secret, false, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://rp.example/é"}}, "", nil},
				{"scope not allowed", o.basic.id, o.basic.secret, false, url.Values{"grant_type": {"client_credentials"}, "scope": {"portée-é"}}, "", nil},
				{"bad refresh token", o.basic.id, o.basic.secret, false, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"é"}}, "", nil},
				{"no PKCE verifier", strict.id, strict.secret, false, url.Values{"grant_type": {"authorization_code"}, "code": {strictCode}, "redirect_uri": {redirectURI}}, "invalid_grant", nil},
				{"repeated parameter", o.basic.id, o.basic.secret, false, url.Values{"grant_type": {"authorization_code"}, "é": {"1", "2"}}, "invalid_request", nil},
			}
			for _, tc := range cases {
				form := url.Values{}
				for k, v := range tc.form {
					form[k] = v
				}
				req, _ := http.NewRequest(http.MethodPost, token, nil)
				if tc.inForm {
					form.Set("client_id", tc.id)
					form.Set("client_secret", tc.secret)
				} else {
					req.SetBasicAuth(url.QueryEscape(tc.id), url.QueryEscape(tc.secret))
				}
				req.Body = io.NopCloser(strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				status, vals := jsonError(t, req)
				if status/100 != 4 || (tc.wantError != "" && vals["error"] != tc.wantError) {
					t.Errorf("%s: %d %v, want 4xx %s", tc.name, status, vals, tc.wantError)
				}
				check(t, "token ("+tc.name+")", vals)
			}
		})

		t.Run("introspection and revocation", func(t *testing.T) {
			for _, path := range []string{"introspection_endpoint", "revocation_endpoint"} {
				req, _ := http.NewRequest(http.MethodPost, o.discovered[path].(string), strings.NewReader("token=x"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(o.basic.id, "é-wrong")
				status, vals := jsonError(t, req)
				if status/100 != 4 {
					t.Errorf("%s with a wrong secret: %d", path, status)
				}
				check(t, path, vals)
			}
		})

		t.Run("userinfo", func(t *testing.T) {
			r := o.rp(t, o.basic)
			for name, token := range map[string]string{"no token": "", "bad token": "é.é.é"} {
				req, _ := http.NewRequest(http.MethodGet, o.discovered["userinfo_endpoint"].(string), nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				status, vals := jsonError(t, req)
				if status != http.StatusUnauthorized {
					t.Errorf("userinfo, %s: %d", name, status)
				}
				check(t, "userinfo ("+name+")", vals)
			}
			_ = r
		})

		for _, e := range []string{"login_required", "consent_required", "access_denied", "request_not_supported",
			"request_uri_not_supported", "invalid_request", "invalid_client", "invalid_grant", "invalid_token"} {
			if !seen[e] {
				t.Errorf("no path gave %s", e)
			}
		}
	})
}

// jsonError sends req and returns its status and the JSON error body,
// checking the WWW-Authenticate header's error_description too.
func jsonError(t *testing.T, req *http.Request) (int, map[string]string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	raw := map[string]any{}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("%s: not JSON (%d): %s", req.URL.Path, resp.StatusCode, body)
	}
	vals := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			vals[k] = s
		}
	}
	if m := wwwAuthDesc.FindStringSubmatch(resp.Header.Get("WWW-Authenticate")); m != nil {
		checkASCII(t, req.URL.Path+" WWW-Authenticate error_description", m[1])
	}
	return resp.StatusCode, vals
}

var wwwAuthDesc = regexp.MustCompile(`error_description="([^"]*)"`)

func flat(v url.Values) map[string]string {
	out := map[string]string{}
	for k := range v {
		out[k] = v.Get(k)
	}
	return out
}

package conformance_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestRPInitiatedLogoutOP walks the modules of the RP-Initiated Logout OP
// plan. A module's "normal authorization flow" is a sign-in of the suite's
// client; after the logout request, prompt=none tells whether the person
// is still signed in at Sésame.
func TestRPInitiatedLogoutOP(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	eachOP(t, func(t *testing.T, o *op) {
		endSession, _ := o.discovered["end_session_endpoint"].(string)

		t.Run("oidcc-rp-initiated-logout-discovery-endpoint-verification", func(t *testing.T) {
			if !strings.HasPrefix(endSession, o.URL+"/") {
				t.Fatalf("end_session_endpoint = %q", endSession)
			}
		})

		// logout signs the owner in at the suite's client, then sends the
		// browser to the end_session_endpoint with params (the ID token
		// goes where "HINT" is).
		logout := func(t *testing.T, params url.Values) (*sesametest.Browser, sesametest.Page, *rp) {
			t.Helper()
			r := o.rp(t, o.basic)
			b := o.NewBrowser(t)
			tok := r.signIn(b)
			if params.Get("id_token_hint") == "HINT" {
				params.Set("id_token_hint", tok.raw)
			}
			u := endSession
			if len(params) > 0 {
				u += "?" + params.Encode()
			}
			return b, b.Get(u), r
		}
		signedIn := func(t *testing.T, b *sesametest.Browser, r *rp) bool {
			t.Helper()
			q := r.authRequest(oauth2.SetAuthURLParam("prompt", "none"))
			cb := callback(t, b.Get(q.url).Location)
			if cb.Query().Get("error") != "" {
				r.authError(q, cb, "login_required")
				return false
			}
			return true
		}
		// noRedirect checks that the OP did not send the browser back:
		// it shows a page (signed out, or asking to confirm).
		noRedirect := func(t *testing.T, p sesametest.Page) {
			t.Helper()
			if p.Location != "" || p.Status != http.StatusOK {
				t.Fatalf("logout answered %d → %q, want a page and no redirect", p.Status, p.Location)
			}
		}
		confirm := func(t *testing.T, b *sesametest.Browser, p sesametest.Page) sesametest.Page {
			t.Helper()
			if !strings.Contains(p.Body, `action="/logout"`) {
				t.Fatalf("no confirmation form:\n%s", p.Body)
			}
			return b.SubmitAction(p, "/logout", nil)
		}

		t.Run("oidcc-rp-initiated-logout", func(t *testing.T) {
			b, p, r := logout(t, url.Values{"id_token_hint": {"HINT"}, "post_logout_redirect_uri": {postLogoutURI}, "state": {"xyz"}})
			if p.Location != postLogoutURI+"?state=xyz" {
				t.Fatalf("logout redirected to %q, want %s?state=xyz", p.Location, postLogoutURI)
			}
			if signedIn(t, b, r) {
				t.Fatal("still signed in after logout")
			}
		})

		t.Run("oidcc-rp-initiated-logout-bad-post-logout-redirect-uri", func(t *testing.T) {
			b, p, r := logout(t, url.Values{"id_token_hint": {"HINT"}, "post_logout_redirect_uri": {"https://rp.example/bad_post_logout_redirect_uri"}, "state": {"xyz"}})
			noRedirect(t, p)
			if signedIn(t, b, r) {
				t.Fatal("a refused post_logout_redirect_uri left the person signed in")
			}
		})

		t.Run("oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri", func(t *testing.T) {
			b, p, r := logout(t, url.Values{"id_token_hint": {"HINT"}, "post_logout_redirect_uri": {postLogoutURI + "?foo=bar"}})
			noRedirect(t, p)
			if signedIn(t, b, r) {
				t.Fatal("still signed in")
			}
		})

		t.Run("oidcc-rp-initiated-logout-bad-id-token-hint", func(t *testing.T) {
			// An ID token signed by someone else: a confirmation page.
			forged := b64(`{"alg":"RS256","kid":"other"}`) + "." + b64(`{"iss":"`+o.URL+`","sub":"`+o.ownerID+`","aud":"`+o.basic.id+`"}`) + ".c2lnbmF0dXJl"
			b, p, r := logout(t, url.Values{"id_token_hint": {forged}, "post_logout_redirect_uri": {postLogoutURI}, "state": {"xyz"}})
			noRedirect(t, p)
			if !signedIn(t, b, r) {
				t.Fatal("a forged id_token_hint signed the person out without asking")
			}
			if p := confirm(t, b, p); p.Location != "" {
				t.Fatalf("after confirming: redirected to %s, want no redirect", p.Location)
			}
		})

		t.Run("oidcc-rp-initiated-logout-modified-id-token-hint", func(t *testing.T) {
			r := o.rp(t, o.basic)
			b := o.NewBrowser(t)
			tok := r.signIn(b)
			_, claims, _ := strings.Cut(tok.raw, ".")
			claims, _, _ = strings.Cut(claims, ".")
			none := b64(`{"alg":"none"}`) + "." + claims + "."
			p := b.Get(endSession + "?" + url.Values{"id_token_hint": {none}, "post_logout_redirect_uri": {postLogoutURI}}.Encode())
			noRedirect(t, p)
			if !signedIn(t, b, r) {
				t.Fatal("an alg:none id_token_hint signed the person out without asking")
			}
		})

		t.Run("oidcc-rp-initiated-logout-no-id-token-hint", func(t *testing.T) {
			b, p, r := logout(t, url.Values{"post_logout_redirect_uri": {postLogoutURI}, "state": {"xyz"}})
			noRedirect(t, p)
			if !signedIn(t, b, r) {
				t.Fatal("signed out without confirmation")
			}
			// Confirmed, with no client named: signed out, no redirect.
			if p := confirm(t, b, p); p.Location != "" {
				t.Fatalf("after confirming: redirected to %s", p.Location)
			}
			if signedIn(t, b, r) {
				t.Fatal("still signed in after confirming")
			}
		})

		t.Run("client_id without id_token_hint", func(t *testing.T) {
			// The same exact-match rule applies with client_id.
			for _, tc := range []struct {
				uri  string
				want string
			}{
				{postLogoutURI, postLogoutURI + "?state=s1"},
				{postLogoutURI + "?foo=bar", ""},
				{"https://rp.example/other", ""},
			} {
				b, p, r := logout(t, url.Values{"client_id": {o.basic.id}, "post_logout_redirect_uri": {tc.uri}, "state": {"s1"}})
				noRedirect(t, p)
				p = confirm(t, b, p)
				if p.Location != tc.want {
					t.Errorf("%s: redirected to %q, want %q", tc.uri, p.Location, tc.want)
				}
				if tc.want == "" && (p.Status != http.StatusOK || !strings.Contains(p.Body, "/login")) {
					t.Errorf("%s: no signed-out page: %d", tc.uri, p.Status)
				}
				if signedIn(t, b, r) {
					t.Errorf("%s: still signed in", tc.uri)
				}
			}
		})

		t.Run("oidcc-rp-initiated-logout-no-params", func(t *testing.T) {
			b, p, r := logout(t, url.Values{})
			noRedirect(t, p)
			if p := confirm(t, b, p); p.Location != "" || !strings.Contains(p.Body, "Votre session Sésame est fermée") {
				t.Fatalf("after confirming: %d → %q, want a page saying so", p.Status, p.Location)
			}
			if signedIn(t, b, r) {
				t.Fatal("still signed in")
			}
		})

		t.Run("oidcc-rp-initiated-logout-no-post-logout-redirect-uri", func(t *testing.T) {
			b, p, r := logout(t, url.Values{"id_token_hint": {"HINT"}, "state": {"xyz"}})
			noRedirect(t, p)
			if signedIn(t, b, r) {
				t.Fatal("still signed in")
			}
		})

		t.Run("oidcc-rp-initiated-logout-no-state", func(t *testing.T) {
			b, p, r := logout(t, url.Values{"id_token_hint": {"HINT"}, "post_logout_redirect_uri": {postLogoutURI}})
			if p.Location != postLogoutURI {
				t.Fatalf("logout redirected to %q, want %s", p.Location, postLogoutURI)
			}
			if signedIn(t, b, r) {
				t.Fatal("still signed in")
			}
		})

		t.Run("oidcc-rp-initiated-logout-only-state", func(t *testing.T) {
			b, p, r := logout(t, url.Values{"state": {"xyz"}})
			noRedirect(t, p)
			if p := confirm(t, b, p); p.Location != "" || !strings.Contains(p.Body, "Votre session Sésame est fermée") {
				t.Fatalf("after confirming: %d → %q, want a page saying so", p.Status, p.Location)
			}
			if signedIn(t, b, r) {
				t.Fatal("still signed in")
			}
		})
	})
}

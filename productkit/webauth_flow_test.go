package productkit

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestWebAuthTamperedFlow steps through the redirects by hand and changes
// one parameter of the authorization request each time.
func TestWebAuthTamperedFlow(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(q url.Values)
	}{
		{name: "nonce replaced", tamper: func(q url.Values) { q.Set("nonce", "attacker-nonce") }},
		{name: "code challenge replaced", tamper: func(q url.Values) {
			q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPanel(t)
			p.fake.SignIn("alice")
			p.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, _ := p.get(t, "/login")
			authURL, _ := url.Parse(resp.Header.Get("Location"))
			q := authURL.Query()
			tt.tamper(q)
			authURL.RawQuery = q.Encode()
			resp, err := p.client.Get(authURL.String())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			resp, _ = p.get(t, strings.TrimPrefix(resp.Header.Get("Location"), p.srv.URL))
			if resp.StatusCode < 400 {
				t.Fatalf("callback status %d, want an error", resp.StatusCode)
			}
			if p.hasSession() {
				t.Fatal("signed in with a tampered flow")
			}
		})
	}
}

func TestWebAuthCallbackState(t *testing.T) {
	p := newPanel(t)
	p.fake.SignIn("alice")
	p.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := p.get(t, "/login?next=/dns/example.cm")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	state := loc.Query().Get("state")

	tests := []struct{ name, query string }{
		{name: "no state", query: "code=x"},
		{name: "unknown state", query: "code=x&state=forged"},
		{name: "known state, forged code", query: "code=forged&state=" + url.QueryEscape(state)},
		{name: "replayed state", query: "code=x&state=" + url.QueryEscape(state)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := p.get(t, "/callback?"+tt.query)
			if resp.StatusCode < 400 || !strings.Contains(body, "La connexion a échoué") {
				t.Fatalf("status %d body %s", resp.StatusCode, body)
			}
		})
	}
}

func TestWebAuthNextIsLocal(t *testing.T) {
	p := newPanel(t)
	p.fake.SignIn("alice")
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		t.Run(next, func(t *testing.T) {
			resp, _ := p.get(t, "/login?next="+url.QueryEscape(next))
			if resp.Request.URL.Host != strings.TrimPrefix(p.srv.URL, "http://") || resp.Request.URL.Path != "/" {
				t.Fatalf("landed on %s", resp.Request.URL)
			}
		})
	}
}

func TestWebAuthSameOrigin(t *testing.T) {
	p := newPanel(t)
	p.fake.SignIn("alice")
	p.me(t)
	tests := []struct {
		name, origin, site string
		status             int
	}{
		{name: "same origin", origin: p.srv.URL, site: "same-origin", status: 200},
		{name: "no headers (not a browser)", status: 200},
		{name: "other origin", origin: "https://evil.example", status: 403},
		{name: "cross-site fetch", site: "cross-site", status: 403},
		{name: "same-site sibling", origin: "http://other.localhost", site: "same-site", status: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", p.srv.URL+"/dns/example.cm", nil)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.site != "" {
				req.Header.Set("Sec-Fetch-Site", tt.site)
			}
			resp, err := p.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
}

func TestWebAuthNotSignedInPost(t *testing.T) {
	p := newPanel(t)
	resp, err := p.client.PostForm(p.srv.URL+"/dns/example.cm", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
}

package productkit

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSignOutNeedsCSRF: the sign-out is a POST carrying the session's CSRF
// token from the product's own origin; anything else is refused and signs
// nobody out.
func TestSignOutNeedsCSRF(t *testing.T) {
	s := newSite(t, memoryStore)
	s.person("alice", "domain:read")
	s.person("bob", "domain:read")
	v := s.signIn(t, "alice")
	bob := s.signIn(t, "bob")
	token := v.csrf(t)
	if token == bob.csrf(t) {
		t.Fatal("two sessions share a CSRF token")
	}
	tests := []struct {
		name   string
		form   url.Values
		origin string
		site   string
	}{
		{name: "no token", form: url.Values{}, origin: s.srv.URL},
		{name: "wrong token", form: url.Values{CSRFField: {"forged"}}, origin: s.srv.URL},
		{name: "another session's token", form: url.Values{CSRFField: {bob.csrf(t)}}, origin: s.srv.URL},
		{name: "right token from another site", form: url.Values{CSRFField: {token}}, origin: "https://evil.example"},
		{name: "right token, cross-site fetch", form: url.Values{CSRFField: {token}}, site: "cross-site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := v.postLogout(t, tt.form, tt.origin, tt.site)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
			if got := v.status(t, "/me"); got != 200 {
				t.Fatalf("signed out anyway: %d", got)
			}
			if l := s.fake.Logouts(); len(l) != 0 {
				t.Fatalf("the issuer was told: %+v", l)
			}
		})
	}

	// A link (GET) does not sign out: it shows the form.
	resp, err := v.client.Get(s.srv.URL + "/logout")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `method="post"`) || v.status(t, "/me") != 200 {
		t.Fatalf("GET /logout: %d %s", resp.StatusCode, body)
	}

	// The form as the product serves it: signed out here and sent to
	// Sésame's end_session_endpoint with the exact post-logout URI.
	cookies := v.client.Jar.Cookies(mustURL(s.srv.URL))
	resp = v.postLogout(t, url.Values{CSRFField: {token}}, s.srv.URL, "same-origin")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	if loc.Scheme+"://"+loc.Host+loc.Path != s.fake.URL+"/logout" || q.Get("post_logout_redirect_uri") != s.srv.URL+"/signed-out" ||
		q.Get("id_token_hint") == "" || q.Get("client_id") != testClient || len(q.Get("state")) < 40 {
		t.Fatalf("sent to %s", loc)
	}
	if got := v.status(t, "/me"); got != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", got)
	}
	if got := bob.status(t, "/me"); got != 200 {
		t.Fatalf("bob after alice's sign-out: %d", got)
	}
	// A copy of the old cookie is dead too: its sid is recorded as ended.
	req, _ := http.NewRequest("GET", s.srv.URL+"/me", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("copied cookie after sign-out: %d", resp.StatusCode)
	}

	// Sésame sends the browser back: a plain page says it is over.
	resp, err = http.Get(s.srv.URL + "/signed-out?state=" + q.Get("state"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Session fermée") {
		t.Fatalf("signed-out page: %d %s", resp.StatusCode, body)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// csrf reads the CSRF token of the sign-out form at GET /logout.
func (v *visitor) csrf(t *testing.T) string {
	t.Helper()
	resp, err := v.client.Get(v.s.srv.URL + "/logout")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := csrfRe.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no CSRF token: %s", body)
	}
	return m[1]
}

// postLogout posts the sign-out form without following the redirect.
func (v *visitor) postLogout(t *testing.T, form url.Values, origin, site string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", v.s.srv.URL+"/logout", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	c := &http.Client{Jar: v.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

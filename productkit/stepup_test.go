package productkit

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/productkit/productkittest"
)

var mfa = productkittest.Authentication{ACR: ACRSecondFactor, AMR: []string{"pwd", "otp", "mfa"}}

// noFollow makes the panel's client stop at each redirect.
func (p *panel) noFollow() {
	p.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
}

// postDanger posts the dangerous form from the page /dns/example.cm.
func (p *panel) postDanger(t *testing.T) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", p.srv.URL+"/danger", strings.NewReader("x=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.srv.URL)
	req.Header.Set("Referer", p.srv.URL+"/dns/example.cm")
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

// TestStepUpPasswordOnly: a password sign-in is sent to Sésame with
// acr_values and max_age; an issuer answering without the acr does not
// get through, and the session stays password-only.
func TestStepUpPasswordOnly(t *testing.T) {
	p := newPanel(t)
	p.fake.SignIn("alice")
	p.me(t)
	p.noFollow()
	resp, _ := p.get(t, "/danger?x=1")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fdanger%3Fx%3D1&step_up=1800" {
		t.Fatalf("GET /danger: %d to %q", resp.StatusCode, loc)
	}
	resp, _ = p.get(t, loc)
	authURL, _ := url.Parse(resp.Header.Get("Location"))
	q := authURL.Query()
	if q.Get("acr_values") != ACRSecondFactor || q.Get("max_age") != "1800" {
		t.Fatalf("authorization request %v", q)
	}
	// The issuer ignores acr_values: a password sign-in again.
	resp, err := p.client.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, body := p.get(t, strings.TrimPrefix(resp.Header.Get("Location"), p.srv.URL))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "second facteur") {
		t.Fatalf("callback without acr: %d %s", resp.StatusCode, body)
	}
	if resp, _ := p.get(t, "/danger"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET /danger after a refused step-up: %d", resp.StatusCode)
	}
	if got := p.me(t); got.Sub != "alice" {
		t.Fatalf("session lost: %+v", got)
	}
	// A POST is not replayed: a page leads to the confirmation, back to
	// the form's page.
	resp, body = p.postDanger(t)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `href="/login?next=%2Fdns%2Fexample.cm&amp;step_up=1800"`) {
		t.Fatalf("POST /danger: %d %s", resp.StatusCode, body)
	}
}

// TestStepUpDone: after a sign-in with a second factor the dangerous
// action passes, GET and POST, until maxAge; a refresh keeps the second
// factor (without ID token too); past maxAge it is asked again.
func TestStepUpDone(t *testing.T) {
	p := newPanel(t)
	p.fake.SignIn("alice")
	p.me(t)
	p.fake.Authenticate(mfa)
	if resp, body := p.get(t, "/danger"); resp.StatusCode != 200 || body != "danger" {
		t.Fatalf("GET /danger after the second factor: %d %s", resp.StatusCode, body)
	}
	if q := p.fake.LastAuthorize(); q.Get("acr_values") != ACRSecondFactor {
		t.Fatalf("authorization request %v", q)
	}
	if resp, body := p.postDanger(t); resp.StatusCode != 200 || body != "deleted" {
		t.Fatalf("POST /danger: %d %s", resp.StatusCode, body)
	}
	p.fake.OmitIDTokenOnRefresh(true)
	p.clock.Advance(20 * time.Minute)
	if resp, body := p.postDanger(t); resp.StatusCode != 200 || body != "deleted" {
		t.Fatalf("POST /danger after a refresh: %d %s", resp.StatusCode, body)
	}
	if n := p.fake.RefreshHits(); n != 1 {
		t.Fatalf("refreshes = %d, want 1", n)
	}
	p.clock.Advance(11 * time.Minute)
	if resp, _ := p.postDanger(t); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST /danger past maxAge: %d", resp.StatusCode)
	}
	p.noFollow()
	if resp, _ := p.get(t, "/danger"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET /danger past maxAge: %d", resp.StatusCode)
	}
}

// TestStepUpRefused: the callback of a step-up checks the ID token
// itself, not the request.
func TestStepUpRefused(t *testing.T) {
	tests := []struct {
		name string
		auth productkittest.Authentication
		as   string
		path string
	}{
		{name: "old second factor", auth: productkittest.Authentication{ACR: ACRSecondFactor, AMR: mfa.AMR,
			Time: newClock().Now().Add(-time.Hour)}, as: "alice", path: "/login?step_up=1800&next=/danger"},
		{name: "other acr", auth: productkittest.Authentication{ACR: "urn:other", AMR: []string{"pwd"}}, as: "alice",
			path: "/login?step_up=1800&next=/danger"},
		{name: "other person", auth: mfa, as: "bob", path: "/login?step_up=1800&next=/danger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPanel(t)
			p.fake.SignIn("alice")
			p.me(t)
			p.fake.SignIn(tt.as)
			p.fake.Authenticate(tt.auth)
			if resp, _ := p.get(t, tt.path); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("step-up: %d, want 403", resp.StatusCode)
			}
			if got := p.me(t); got.Sub != "alice" {
				t.Fatalf("session replaced: %+v", got)
			}
			p.noFollow()
			if resp, _ := p.get(t, "/danger"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("GET /danger: %d", resp.StatusCode)
			}
		})
	}
}

// TestStepUpForgedReturn: a sign-in that did not ask for the step-up, or
// an authorization request stripped of acr_values, gives nothing.
func TestStepUpForgedReturn(t *testing.T) {
	p := newPanel(t)
	p.fake.SignIn("alice")
	p.noFollow()
	resp, _ := p.get(t, "/login?step_up=1800&next=/danger")
	authURL, _ := url.Parse(resp.Header.Get("Location"))
	q := authURL.Query()
	q.Del("acr_values")
	q.Del("max_age")
	authURL.RawQuery = q.Encode()
	resp, err := p.client.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, _ := p.get(t, strings.TrimPrefix(resp.Header.Get("Location"), p.srv.URL)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("callback: %d, want 403", resp.StatusCode)
	}
	// A plain sign-in with the second factor's return path is a plain
	// sign-in: /danger still asks.
	if resp, _ := p.get(t, "/login?next=/danger&acr_values=urn:sesame:mfa"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	p.client.CheckRedirect = nil
	p.get(t, "/login?next=/me")
	p.noFollow()
	if resp, _ := p.get(t, "/danger"); resp.StatusCode != http.StatusSeeOther ||
		!strings.Contains(resp.Header.Get("Location"), "step_up=") {
		t.Fatalf("GET /danger after a plain sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := p.wa.StepUpURL("https://evil.example/", time.Minute); got != "/login?step_up=60" {
		t.Fatalf("StepUpURL kept a foreign next: %s", got)
	}
}

package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestHTTPSIssuer: behind a TLS proxy (an https issuer) cookies are Secure,
// the session cookie is __Host- prefixed, and HSTS is on; over plain http
// there is no HSTS.
func TestHTTPSIssuer(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{Issuer: "https://login.example.cm"})
	resp, err := http.Get(s.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Fatalf("no HSTS behind an https issuer: %q", hsts)
	}
	cookies := resp.Cookies()
	if len(cookies) == 0 {
		t.Fatal("no cookie set on the login page")
	}
	for _, c := range cookies {
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: Secure=%v HttpOnly=%v SameSite=%v", c.Name, c.Secure, c.HttpOnly, c.SameSite)
		}
	}
	var disco map[string]any
	status, disco := apiCall(t, "GET", s.URL+"/.well-known/openid-configuration", "", nil)
	if status != http.StatusOK || disco["issuer"] != "https://login.example.cm" || disco["token_endpoint"] != "https://login.example.cm/oauth2/token" {
		t.Fatalf("discovery behind https: %v", disco)
	}

	plain := sesametest.Start(t, sesametest.Options{})
	resp, err = http.Get(plain.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Fatal("HSTS over plain http")
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
}

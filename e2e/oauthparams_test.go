package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestRepeatedOAuthParameters: a parameter included more than once at the
// authorization or token endpoint is refused with invalid_request (RFC
// 6749 §3.1, §3.2): an error page without redirection at the first, a
// JSON error at the second.
func TestRepeatedOAuthParameters(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)

	for _, extra := range []string{"redirect_uri=" + url.QueryEscape("http://evil.test/cb"), "scope=openid+sesame%3Amembers", "state=other"} {
		t.Run("authorize "+extra, func(t *testing.T) {
			p := s.NewBrowser(t).Get(rp.Start().URL + "&" + extra)
			if p.Status != http.StatusBadRequest || p.Location != "" || !strings.Contains(p.Body, "invalid_request") {
				t.Fatalf("status %d, location %q, want the 400 page naming invalid_request:\n%.500s", p.Status, p.Location, p.Body)
			}
		})
	}

	for name, req := range map[string]struct{ query, body string }{
		"in the body":         {"", "grant_type=client_credentials&scope=sesame%3Aauthz&scope=sesame%3Amembers"},
		"in query and body":   {"grant_type=client_credentials", "grant_type=client_credentials&scope=sesame%3Aauthz"},
		"grant_type repeated": {"", "grant_type=client_credentials&grant_type=authorization_code"},
	} {
		t.Run("token "+name, func(t *testing.T) {
			u := s.URL + "/oauth2/token"
			if req.query != "" {
				u += "?" + req.query
			}
			status, body := send(t, nil, http.MethodPost, u, "application/x-www-form-urlencoded", strings.NewReader(req.body),
				http.Header{"Authorization": {basicAuth(w.ClientID, w.Secret)}})
			if status != http.StatusBadRequest || !strings.Contains(body, `"error":"invalid_request"`) {
				t.Fatalf("status %d, want 400 invalid_request: %s", status, body)
			}
		})
	}
	// Each parameter once: a token.
	if status, tok := clientToken(t, s, w, "sesame:authz"); status != http.StatusOK {
		t.Fatalf("client credentials: %d %v", status, tok)
	}
}

package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestInputWithNULOrInvalidUTF8: a NUL byte or invalid UTF-8 in a form, a
// query, a path or a JSON body is refused with 400 on both databases
// (PostgreSQL would refuse it late, as a 500; SQLite would store it).
func TestInputWithNULOrInvalidUTF8(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		for name, email := range map[string]string{"NUL": "own\x00er@example.cm", "invalid UTF-8": "own\xffer@example.cm"} {
			t.Run("sign-in form, "+name, func(t *testing.T) {
				b := s.NewBrowser(t)
				p := b.Submit(b.Get("/login"), "password", url.Values{"email": {email}, "password": {ownerPassword}})
				if p.Status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400", p.Status)
				}
			})
		}
		t.Run("authorization query", func(t *testing.T) {
			q := url.Values{"client_id": {"pan\x00el"}, "response_type": {"code"}, "redirect_uri": {panelRedirect}, "scope": {"openid"}}
			if status, body := send(t, nil, http.MethodGet, s.URL+"/oauth2/auth?"+q.Encode(), "", nil, nil); status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.300s", status, body)
			}
		})
		t.Run("path", func(t *testing.T) {
			if status, body := send(t, nil, http.MethodGet, s.URL+"/invitation/%00abc", "", nil, nil); status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %.300s", status, body)
			}
		})
		t.Run("JSON", func(t *testing.T) {
			status, tok := clientToken(t, s, w, "sesame:authz")
			if status != http.StatusOK {
				t.Fatalf("client credentials: %d %v", status, tok)
			}
			for _, body := range []string{
				`{"sub":"x\u0000y","account_id":"` + w.AccountID + `","right":"domain:read"}`,
				`{"sub":"x` + "\xff" + `y","account_id":"` + w.AccountID + `","right":"domain:read"}`,
			} {
				// The API decodes JSON whatever the Content-Type says.
				for _, ct := range []string{"application/json", "text/plain"} {
					status, out := send(t, nil, http.MethodPost, s.URL+"/api/v1/authz/check", ct, strings.NewReader(body),
						http.Header{"Authorization": {"Bearer " + tok["access_token"].(string)}})
					if status != http.StatusBadRequest || !strings.Contains(out, `"error"`) {
						t.Fatalf("%q as %s: status %d, want a JSON 400: %.300s", body, ct, status, out)
					}
				}
			}
		})
	})
}

package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestUnroutedAnswers: a path or a method nothing serves answers JSON
// under /api/ and the error page elsewhere, with 404 and 405.
func TestUnroutedAnswers(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	tests := []struct {
		name   string
		method string
		path   string
		status int
		code   string // the JSON error code; "" for the HTML page
	}{
		{"API path unknown", http.MethodGet, "/api/v1/nothing", http.StatusNotFound, "not_found"},
		{"API path unknown, deeper", http.MethodPost, "/api/v1/accounts/id123456/nothing/here", http.StatusNotFound, "not_found"},
		{"API method not allowed", http.MethodGet, "/api/v1/authz/check", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"API method not allowed on a resource", http.MethodPut, "/api/v1/accounts/id123456/members", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"page unknown", http.MethodGet, "/nothing", http.StatusNotFound, ""},
		{"page method not allowed", http.MethodPut, "/login", http.StatusMethodNotAllowed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, s.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept-Language", "en")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			ct := resp.Header.Get("Content-Type")
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.status, raw)
			}
			if tt.code == "" {
				if !strings.HasPrefix(ct, "text/html") {
					t.Fatalf("Content-Type %q, want the HTML error page", ct)
				}
				return
			}
			var body struct{ Error, Message string }
			if !strings.HasPrefix(ct, "application/json") || json.Unmarshal(raw, &body) != nil {
				t.Fatalf("Content-Type %q, body %q: want JSON", ct, raw)
			}
			if body.Error != tt.code || body.Message == "" {
				t.Fatalf("body %+v, want error %q with a message", body, tt.code)
			}
		})
	}
}

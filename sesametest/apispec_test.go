package sesametest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/web"
)

// failures records what checkAPI reports instead of failing the test.
type failures struct {
	testing.TB
	got []string
}

func (f *failures) Errorf(format string, args ...any) {
	f.got = append(f.got, fmt.Sprintf(format, args...))
}

// checkAPI lets through the answers its description allows and reports
// the others: a wrong shape, a status not described, a body that is not
// JSON, an undescribed path that answers 200.
func TestCheckAPI(t *testing.T) {
	cases := []struct {
		name, method, path string
		status             int
		ct, body           string
		wantFailure        bool
	}{
		{"allowed", "POST", "/api/v1/authz/check", 200, "application/json", `{"allowed":true}`, false},
		{"error object", "POST", "/api/v1/authz/check", 401, "application/json", `{"error":"invalid_token","message":"x"}`, false},
		{"wrong type", "POST", "/api/v1/authz/check", 200, "application/json", `{"allowed":"yes"}`, true},
		{"missing field", "GET", "/api/v1/accounts/id1/members", 200, "application/json", `{}`, true},
		{"error without message", "POST", "/api/v1/authz/check", 403, "application/json", `{"error":"forbidden"}`, true},
		{"not JSON", "POST", "/api/v1/authz/check", 500, "text/plain", "oops", true},
		{"unknown path as JSON 404", "GET", "/api/v1/nothing", 404, "application/json", `{"error":"not_found","message":"x"}`, false},
		{"unknown path as HTML 404", "GET", "/api/v1/nothing", 404, "text/html", "<p>no</p>", true},
		{"undescribed path", "GET", "/api/v1/nothing", 200, "application/json", `{}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &failures{TB: t}
			h := checkAPI(f, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/openapi.json" {
					w.Header().Set("Content-Type", "application/json")
					w.Write(web.OpenAPI)
					return
				}
				w.Header().Set("Content-Type", c.ct)
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.path, strings.NewReader("")))
			if (len(f.got) > 0) != c.wantFailure {
				t.Errorf("failures %q, want failure %v", f.got, c.wantFailure)
			}
		})
	}
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/rbac"
)

// checkServer serves the check API's handlers (without the token check)
// over a rights service on d.
func checkServer(t *testing.T, d *db.DB) (http.Handler, *bytes.Buffer) {
	t.Helper()
	s, logs := testServer(t)
	rights, err := rbac.New(d, rbac.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Rights = rights
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(s.language)
	r.POST("/api/v1/authz/check", s.api(s.apiCheck))
	r.POST("/api/v1/authz/check/batch", s.api(s.apiCheckBatch))
	return r, logs
}

func post(h http.Handler, target, body string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(w, req)
	return w
}

// TestCheckAPIErrors: the check API tells what is wrong with a request in
// its own words and never sends an error's text, not even the database's.
func TestCheckAPIErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		tests := []struct {
			name   string
			path   string
			body   string
			status int
			code   string
			absent []string // texts of internal errors
		}{
			{"missing fields", "/api/v1/authz/check", `{"sub":"m1"}`, http.StatusBadRequest, "invalid_request", nil},
			{"not JSON", "/api/v1/authz/check", `{"sub":`, http.StatusBadRequest, "invalid_json", []string{"unexpected EOF"}},
			{"unknown field", "/api/v1/authz/check", `{"sub":"m1","colour":"red"}`, http.StatusBadRequest, "invalid_json", []string{"json:"}},
			{"wrong type", "/api/v1/authz/check", `{"sub":1}`, http.StatusBadRequest, "invalid_json", []string{"json:", "Go value"}},
			{"unknown right", "/api/v1/authz/check", `{"sub":"m1","account_id":"id123456","right":"domain:fly"}`, http.StatusBadRequest, "unknown_right", []string{"rbac:"}},
			{"bad resource", "/api/v1/authz/check", `{"sub":"m1","account_id":"id123456","right":"domain:dns","resource":"a b"}`, http.StatusBadRequest, "invalid_rule", []string{"rbac:"}},
			{"empty batch", "/api/v1/authz/check/batch", `{"checks":[]}`, http.StatusBadRequest, "invalid_request", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h, _ := checkServer(t, d)
				w := post(h, tt.path, tt.body)
				e := decodeAPIError(t, w)
				if w.Code != tt.status || e.Error != tt.code || e.Message == "" {
					t.Fatalf("%d %+v, want %d %s with a message", w.Code, e, tt.status, tt.code)
				}
				for _, a := range tt.absent {
					if strings.Contains(w.Body.String(), a) {
						t.Fatalf("the body holds %q: %s", a, w.Body)
					}
				}
			})
		}

		t.Run("a bad check of a batch", func(t *testing.T) {
			h, _ := checkServer(t, d)
			w := post(h, "/api/v1/authz/check/batch", `{"checks":[{"sub":"m1","account_id":"id123456","right":"domain:fly"},{"sub":"m1","account_id":"id123456","right":"domain:read"}]}`)
			var body struct {
				Results []checkResult `json:"results"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusOK || len(body.Results) != 2 {
				t.Fatalf("%d %s (%v)", w.Code, w.Body, err)
			}
			if r := body.Results[0]; r.Allowed || r.Error == "" || strings.Contains(r.Error, "rbac:") {
				t.Fatalf("results[0] = %+v, want a refusal in Sésame's words", r)
			}
			if r := body.Results[1]; r.Allowed || r.Error != "" {
				t.Fatalf("results[1] = %+v, want a plain denial", r)
			}
		})

		t.Run("the database fails", func(t *testing.T) {
			h, logs := checkServer(t, d)
			if _, err := d.ExecContext(context.Background(), `DROP TABLE casbin_rule`); err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/api/v1/authz/check", "/api/v1/authz/check/batch"} {
				body := `{"sub":"m1","account_id":"id123456","right":"domain:read"}`
				if strings.HasSuffix(path, "batch") {
					body = `{"checks":[` + body + `]}`
				}
				w := post(h, path, body)
				e := decodeAPIError(t, w)
				if w.Code != http.StatusServiceUnavailable || e.Error != "unavailable" {
					t.Fatalf("%s: %d %+v, want 503 unavailable", path, w.Code, e)
				}
				if strings.Contains(w.Body.String(), "casbin_rule") {
					t.Fatalf("%s: the database's error reached the client: %s", path, w.Body)
				}
				if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "path="+path) {
					t.Fatalf("%s: not logged at ERROR with the path:\n%s", path, logs)
				}
			}
		})
	})
}

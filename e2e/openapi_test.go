package e2e_test

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestOpenAPI: the description is served, and every /api/ path answers
// JSON, a path nothing serves and a method a path does not take included.
// (Every API response of the end-to-end tests is also checked against the
// description by sesametest.)
func TestOpenAPI(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	resp, err := http.Get(s.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil || doc.OpenAPI != "3.1.0" || doc.Paths["/api/v1/authz/check"] == nil || doc.Paths["/api/v1/accounts/{account_id}/members"] == nil {
		t.Fatalf("description: %v, %s, %d paths", err, doc.OpenAPI, len(doc.Paths))
	}
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/api/nothing", http.StatusNotFound},
		{http.MethodGet, "/api/v1/accounts/id1/nothing", http.StatusNotFound},
		{http.MethodDelete, "/api/v1/authz/check", http.StatusMethodNotAllowed},
		{http.MethodPut, "/api/openapi.json", http.StatusMethodNotAllowed},
		{http.MethodGet, "/api/v1/authz/check", http.StatusMethodNotAllowed},
	} {
		req, _ := http.NewRequest(c.method, s.URL+c.path, strings.NewReader(""))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		var e struct{ Error, Message string }
		if resp.StatusCode != c.status || mt != "application/json" || json.Unmarshal(body, &e) != nil || e.Error == "" || e.Message == "" {
			t.Errorf("%s %s: %d %s %s", c.method, c.path, resp.StatusCode, mt, body)
		}
	}
}

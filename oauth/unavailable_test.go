package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

type noPeople struct{}

func (noPeople) Person(context.Context, string) (Person, error) { return Person{}, ErrInactive }

type noRights struct{}

func (noRights) Rights(context.Context, string, string) ([]string, error) { return nil, nil }

// TestEndpointsWhileStorageIsDown: with the database stopped, the token,
// introspection, revocation and userinfo endpoints answer 503
// temporarily_unavailable, logged at ERROR, instead of blaming the client
// (invalid_client), the token (invalid_token) or claiming success.
func TestEndpointsWhileStorageIsDown(t *testing.T) {
	srv := dbtest.StartServer(t)
	ctx := context.Background()
	d, err := db.Open(ctx, srv.Database("oauth"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	store := sqlstore.New(d)
	secret, err := sqlstore.NewClientSecret()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateClient(ctx, &sqlstore.Client{ID: "svc", Name: "Service",
		GrantTypes: []string{"client_credentials"}, Scopes: []string{ScopeAuthz}}, secret); err != nil {
		t.Fatal(err)
	}
	ring := newRing(t)
	var logs bytes.Buffer
	p := New(Config{Issuer: testIssuer, Secrets: ring, Logger: slog.New(slog.NewJSONHandler(&logs, nil))},
		store, loadKeys(t, d, ring), noPeople{}, noRights{})
	gin.SetMode(gin.TestMode)
	r := gin.New()
	p.Mount(r)
	call := func(method, path string, form url.Values, bearer string) (int, map[string]any) {
		req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		} else {
			req.SetBasicAuth("svc", secret)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		var body map[string]any
		json.Unmarshal(w.Body.Bytes(), &body)
		return w.Code, body
	}
	status, body := call("POST", PathToken, url.Values{"grant_type": {"client_credentials"}, "scope": {ScopeAuthz}}, "")
	if status != http.StatusOK {
		t.Fatalf("token while the database is up: %d %v", status, body)
	}
	token := body["access_token"].(string)

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, method, path string
		form               url.Values
		bearer             string
	}{
		{"token", "POST", PathToken, url.Values{"grant_type": {"client_credentials"}, "scope": {ScopeAuthz}}, ""},
		{"introspection", "POST", PathIntrospect, url.Values{"token": {token}}, ""},
		{"revocation", "POST", PathRevoke, url.Values{"token": {token}}, ""},
		{"userinfo", "GET", PathUserinfo, nil, token},
	} {
		logs.Reset()
		status, body := call(c.method, c.path, c.form, c.bearer)
		if status != http.StatusServiceUnavailable || body["error"] != "temporarily_unavailable" {
			t.Errorf("%s while the database is down: %d %v, want 503 temporarily_unavailable", c.name, status, body)
		}
		if !strings.Contains(logs.String(), `"level":"ERROR","msg":"oauth: storage unavailable"`) {
			t.Errorf("%s: the failure is not logged at ERROR:\n%s", c.name, logs.String())
		}
	}
}

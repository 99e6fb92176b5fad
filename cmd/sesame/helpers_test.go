package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/app"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/mail/mailtest"
	"github.com/sesame-idp/sesame/secret"
)

// testIssuer is SESAME_ISSUER in the tests: the invitation links start with it.
const testIssuer = "https://sesame.test"

// testEnv is the configuration of one test: the environment the commands read.
type testEnv struct {
	DatabaseURL string
	Mail        *mailtest.Server
}

// setEnv points the commands at databaseURL and at a fresh in-process SMTP
// server, with a fixed issuer and secret.
func setEnv(t *testing.T, databaseURL string) testEnv {
	t.Helper()
	m := mailtest.NewServer(t)
	t.Setenv("SESAME_DATABASE_URL", databaseURL)
	t.Setenv("SESAME_SMTP_URL", m.URL())
	t.Setenv("SESAME_ISSUER", testIssuer)
	t.Setenv("SESAME_MAIL_FROM", "Sésame <no-reply@sesame.test>")
	t.Setenv("SESAME_SECRETS", secret.Generate())
	t.Setenv("SESAME_ADDR", "127.0.0.1:0")
	t.Setenv("SESAME_INVITATION_TTL", "")
	t.Setenv("SESAME_TIMEZONE", "")
	return testEnv{DatabaseURL: databaseURL, Mail: m}
}

// sqliteEnv is setEnv on a new SQLite file (not yet created).
func sqliteEnv(t *testing.T) testEnv {
	t.Helper()
	return setEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "sesame.db"))
}

// eachDB runs fn on SQLite and on PostgreSQL (skipped when
// SESAME_TEST_DATABASE_URL is unset), each with its own database.
func eachDB(t *testing.T, fn func(t *testing.T, e testEnv)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteEnv(t)) })
	t.Run("postgres", func(t *testing.T) {
		_, u := dbtest.PostgresURL(t)
		fn(t, setEnv(t, u))
	})
}

// sesame runs the command line args with stdin and returns its stdout.
func sesame(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out)
	return out.String(), err
}

// mustSesame is sesame that fails the test on error.
func mustSesame(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := sesame(t, stdin, args...)
	if err != nil {
		t.Fatalf("sesame %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// jsonObject checks that out is exactly one JSON object, on one line,
// whose keys are exactly keys and whose values are non-empty strings, and
// returns it.
func jsonObject(t *testing.T, out string, keys ...string) map[string]string {
	t.Helper()
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("output is not one line: %q", out)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("output is not a JSON object: %v: %q", err, out)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("output holds more than one JSON value: %q", out)
	}
	got := make([]string, 0, len(raw))
	obj := make(map[string]string, len(raw))
	for k, v := range raw {
		got = append(got, k)
		s, ok := v.(string)
		if !ok || s == "" {
			t.Errorf("%s = %#v, want a non-empty string", k, v)
		}
		obj[k] = s
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(keys))
	if !slices.Equal(got, want) {
		t.Fatalf("keys %v, want exactly %v (output %q)", got, want, out)
	}
	return obj
}

// openTestApp opens Sésame on the test's configuration, as the commands do,
// to look at what they did through the services.
func openTestApp(t *testing.T) *app.App {
	t.Helper()
	cfg := loadConfig()
	cfg.Logger = slog.New(slog.DiscardHandler)
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// serveTestApp serves a on a loopback httptest server.
func serveTestApp(t *testing.T, a *app.App) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// countRows returns the number of rows of each table.
func countRows(t *testing.T, a *app.App, tables ...string) map[string]int {
	t.Helper()
	counts := make(map[string]int, len(tables))
	for _, table := range tables {
		var n int
		if err := a.DB.GetContext(context.Background(), &n, "SELECT COUNT(*) FROM "+table); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	return counts
}

// clientCredentials asks srv for a token with the client credentials
// grant; it returns the status and the decoded body.
func clientCredentials(t *testing.T, srv *httptest.Server, id, clientSecret, scope string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(clientSecret))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token response (status %d): %v", resp.StatusCode, err)
	}
	return resp.StatusCode, body
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// TestConfigCheck: the effective configuration without its secrets, the
// problems of a production setting, and an exit status that says whether
// one of them is an error.
func TestConfigCheck(t *testing.T) {
	cases := []struct {
		name       string
		env        map[string]string
		wantErr    bool
		wantSubstr []string // in the problems' settings and messages
	}{
		{"developer defaults", map[string]string{"SESAME_ISSUER": "", "SESAME_SMTP_URL": "", "SESAME_ADDR": "localhost:8080"},
			false, []string{"SESAME_SMTP_URL: no SMTP server", "SQLite serves one instance"}},
		{"http issuer in production", map[string]string{"SESAME_ISSUER": "http://login.example.cm"},
			true, []string{"SESAME_ISSUER: the issuer http://login.example.cm is http"}},
		{"no SMTP in production", map[string]string{"SESAME_ISSUER": "https://login.example.cm", "SESAME_SMTP_URL": ""},
			true, []string{"SESAME_SMTP_URL: no SMTP server: invitations"}},
		{"bad proxies", map[string]string{"SESAME_TRUSTED_PROXIES": "10.0.0.0/33"}, true, []string{"SESAME_TRUSTED_PROXIES"}},
		{"bad rotation", map[string]string{"SESAME_KEY_ROTATION": "monthly"}, true, []string{"SESAME_KEY_ROTATION"}},
		{"too short rotation", map[string]string{"SESAME_KEY_ROTATION": "5m"}, true, []string{"at least 1h0m0s"}},
		{"public metrics", map[string]string{"SESAME_METRICS_ADDR": ":9464"}, false, []string{"SESAME_METRICS_ADDR: metrics listen on every interface"}},
		{"remote PostgreSQL without sslmode", map[string]string{"SESAME_DATABASE_URL": "postgres://sesame@db.example.cm/sesame"},
			false, []string{"SESAME_DATABASE_URL: no TLS to a remote PostgreSQL"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sqliteEnv(t)
			t.Setenv("SESAME_DATABASE_URL", "sqlite:/nonexistent/sesame.db") // never opened
			t.Setenv("SESAME_SMTP_URL", "smtp://mailer:Secret-Pass-42@127.0.0.1:2525?tls=none")
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			out, err := sesame(t, "", "config", "check", "--json")
			if c.wantErr != errors.Is(err, errConfigProblems) {
				t.Fatalf("error %v, want an error: %v", err, c.wantErr)
			}
			var got struct {
				Config   map[string]string `json:"config"`
				Problems []struct{ Level, Setting, Message string }
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output %q: %v", out, err)
			}
			var text []string
			for _, p := range got.Problems {
				text = append(text, p.Setting+": "+p.Message)
			}
			for _, want := range c.wantSubstr {
				if !strings.Contains(strings.Join(text, "\n"), want) {
					t.Errorf("problems %q lack %q", text, want)
				}
			}
			if strings.Contains(out, "Secret-Pass-42") || strings.Contains(out, mustEnv(t, "SESAME_SECRETS")) {
				t.Errorf("a secret is printed: %s", out)
			}
			wantURL := "sqlite:/nonexistent/sesame.db"
			if u, ok := c.env["SESAME_DATABASE_URL"]; ok {
				wantURL = u
			}
			if got.Config["SESAME_DATABASE_URL"] != wantURL {
				t.Errorf("config %v", got.Config)
			}
		})
	}
	// The text form says the same.
	sqliteEnv(t)
	t.Setenv("SESAME_ISSUER", "http://login.example.cm")
	out, err := sesame(t, "", "config", "check")
	if !errors.Is(err, errConfigProblems) || !strings.Contains(out, "error   SESAME_ISSUER") || !strings.Contains(out, "SESAME_SECRETS          (set: 1 secrets, hidden)") {
		t.Errorf("text output (err %v):\n%s", err, out)
	}
}

// TestOutbox: list shows the waiting messages of the mail outbox and
// retry makes them due at once, whatever their backoff.
func TestOutbox(t *testing.T) {
	eachDB(t, func(t *testing.T, e testEnv) {
		acct := createAccount(t, "owner@example.com", "Acme")
		a := openTestApp(t)
		ctx := context.Background()
		for _, to := range []string{"one@example.com", "two@example.com"} {
			if _, err := a.Members.Invite(ctx, members.Operator(), members.InviteRequest{
				AccountID: acct, Email: to, Grants: []rbac.Grant{{Right: "domain:read"}}}); err != nil {
				t.Fatal(err)
			}
		}
		// One message failed a while ago and waits for its backoff.
		if _, err := a.DB.Exec(a.DB.Rebind(`UPDATE mail_outbox SET attempts = 3, last_error = 'connection refused',
			next_attempt_at = ? WHERE recipient = 'two@example.com'`), "2999-01-01T00:00:00Z"); err != nil {
			t.Fatal(err)
		}
		var list struct {
			Kind     string `json:"kind"`
			Messages []outboxEntry
		}
		if err := json.Unmarshal([]byte(mustSesame(t, "", "outbox", "list", "--json")), &list); err != nil {
			t.Fatal(err)
		}
		if list.Kind != "mail" || len(list.Messages) != 2 || list.Messages[0].To != "two@example.com" ||
			list.Messages[0].State != "failing" || list.Messages[0].Attempts != 3 || list.Messages[1].State != "queued" {
			t.Fatalf("list %+v", list)
		}
		text := mustSesame(t, "", "outbox", "list")
		if !strings.Contains(text, "failing") || !strings.Contains(text, "connection refused") {
			t.Errorf("text list:\n%s", text)
		}

		out := mustSesame(t, "", "outbox", "retry", "--id", "999999", "--json")
		if !strings.Contains(out, `"retried":0`) {
			t.Errorf("retry of an unknown id: %s", out)
		}
		out = mustSesame(t, "", "outbox", "retry", "--all", "--json")
		if !strings.Contains(out, `"retried":2`) {
			t.Errorf("retry --all: %s", out)
		}
		var due int
		if err := a.DB.Get(&due, a.DB.Rebind(`SELECT COUNT(*) FROM mail_outbox WHERE next_attempt_at < ?`), "2999-01-01T00:00:00Z"); err != nil || due != 2 {
			t.Errorf("%d messages due after retry (%v), want 2", due, err)
		}
		for _, bad := range [][]string{{"outbox", "retry"}, {"outbox", "retry", "--all", "--id", "1"}, {"outbox", "retry", "--id", "x"}, {"outbox", "list", "--kind", "fax"}} {
			if _, err := sesame(t, "", bad...); err == nil {
				t.Errorf("%v: no error", bad)
			}
		}
	})
}

func mustEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s unset", name)
	}
	return v
}

// TestOutboxDeliveries: the deliveries to products are outboxes of the
// commands too, "logout" and "events", each listing and retrying its own.
func TestOutboxDeliveries(t *testing.T) {
	eachDB(t, func(t *testing.T, e testEnv) {
		a := openTestApp(t)
		now := time.Now().UTC()
		for i, r := range []struct{ kind, client, sid, lastError string }{
			{"logout", "shop", "s1", "HTTP 503"},
			{"logout", "mail-panel", "s2", ""},
			{"rights", "shop", "", ""},
		} {
			if _, err := a.DB.Exec(a.DB.Rebind(`INSERT INTO event_deliveries
				(jti, kind, client_id, uri, alg, subject, sid, event_at, attempts, next_attempt_at, last_error, created_at)
				VALUES (?, ?, ?, 'https://product.example/bcl', 'ES256', 'm1', ?, ?, ?, ?, ?, ?)`),
				fmt.Sprintf("jti-%d", i), r.kind, r.client, r.sid, now, len(r.lastError)/4, now.Add(time.Hour), r.lastError, now); err != nil {
				t.Fatal(err)
			}
		}
		var list struct {
			Kind     string `json:"kind"`
			Messages []outboxEntry
		}
		if err := json.Unmarshal([]byte(mustSesame(t, "", "outbox", "list", "--kind", "logout", "--json")), &list); err != nil {
			t.Fatal(err)
		}
		if list.Kind != "logout" || len(list.Messages) != 2 || list.Messages[0].To != "mail-panel" || list.Messages[0].State != "pending" ||
			list.Messages[1].To != "shop" || list.Messages[1].State != "failing" || list.Messages[1].Subject != "m1 sid s1" ||
			list.Messages[1].LastError != "HTTP 503" {
			t.Fatalf("list %+v", list)
		}
		if text := mustSesame(t, "", "outbox", "list", "--kind", "events"); !strings.Contains(text, "shop") || strings.Contains(text, "mail-panel") {
			t.Errorf("events list:\n%s", text)
		}
		if out := mustSesame(t, "", "outbox", "retry", "--kind", "events", "--all", "--json"); !strings.Contains(out, `"retried":1`) {
			t.Errorf("retry --kind events --all: %s", out)
		}
		var due int
		if err := a.DB.Get(&due, a.DB.Rebind(`SELECT COUNT(*) FROM event_deliveries WHERE next_attempt_at <= ?`), now.Add(time.Minute)); err != nil || due != 1 {
			t.Errorf("%d deliveries due after retry (%v), want the rights one", due, err)
		}
	})
}

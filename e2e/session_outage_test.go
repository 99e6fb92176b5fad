package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestSessionStorageFailure: a browser session that cannot be read (the
// sessions table is gone, as during a database fault) is a 503, not an
// anonymous visitor sent to the login page.
func TestSessionStorageFailure(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			s := sesametest.Start(t, sesametest.Options{Postgres: pg})
			seed(t, s)
			b := s.NewBrowser(t)
			p := b.Get("/login")
			p = b.Submit(p, "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
			if p.Status != http.StatusOK || p.URL.Path != "/account" {
				t.Fatalf("sign-in ended at %s with %d", p.URL, p.Status)
			}
			renameSessions(t, s.DB, "browser_sessions", "browser_sessions_away")
			defer renameSessions(t, s.DB, "browser_sessions_away", "browser_sessions")
			for _, path := range []string{"/account", "/account/password", "/login", "/console"} {
				if p := b.Get(path); p.Status != http.StatusServiceUnavailable {
					t.Errorf("GET %s with an unreadable session: %d at %s, want 503", path, p.Status, p.URL)
				}
			}
		})
	}
}

func renameSessions(t *testing.T, d *db.DB, from, to string) {
	t.Helper()
	if _, err := d.ExecContext(context.Background(), `ALTER TABLE `+from+` RENAME TO `+to); err != nil {
		t.Fatal(err)
	}
}

// TestSignOutStorageFailure: a sign-out the database cannot carry out is a
// 503, not a "signed out" page over a session that stays open (with the
// products it signed into); the browser keeps its cookie and signs out
// once the database is back.
func TestSignOutStorageFailure(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			s := sesametest.Start(t, sesametest.Options{Postgres: pg})
			seed(t, s)
			b := s.NewBrowser(t)
			b.Submit(b.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
			account := b.Get("/account")
			renameSessions(t, s.DB, "browser_sessions", "browser_sessions_away")
			p := b.SubmitAction(account, "/logout", nil)
			renameSessions(t, s.DB, "browser_sessions_away", "browser_sessions")
			if p.Status != http.StatusServiceUnavailable {
				t.Fatalf("sign-out with the sessions out of reach: %d at %s, want 503", p.Status, p.URL)
			}
			if a := b.Get("/account"); a.URL.Path != "/account" {
				t.Fatalf("after the failed sign-out the browser lost its session: %s", a.URL)
			}
			b.SubmitAction(b.Get("/account"), "/logout", nil)
			if a := b.Get("/account"); a.URL.Path != "/login" {
				t.Fatalf("sign-out once the database is back: still at %s", a.URL)
			}
		})
	}
}

package panel

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

var signOutForm = regexp.MustCompile(`<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="([^"]+)">`)

// TestPanelSignOut: the sign-out button of every page is a form with a
// CSRF token; without the token nothing happens; with it the panel sends
// the browser to Sésame's end-session endpoint, to come back to
// /signed-out.
func TestPanelSignOut(t *testing.T) {
	h := newHarness(t, "server", 0)
	b := h.signIn("tech", "server:read")
	_, body := b.get("/servers")
	m := signOutForm.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no sign-out form with a CSRF token on the page:\n%s", body)
	}
	if strings.Contains(body, `href="/logout"`) {
		t.Fatal("a link signs out")
	}
	if status, _ := b.post("/logout", nil); status != http.StatusForbidden {
		t.Fatalf("sign-out without the CSRF token: %d, want 403", status)
	}
	if status, _ := b.get("/servers"); status != 200 {
		t.Fatalf("signed out by a forged request: %d", status)
	}
	req, _ := http.NewRequest("POST", h.srv.URL+"/logout", strings.NewReader(url.Values{"csrf": {m[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.srv.URL)
	resp, err := (&http.Client{Jar: b.client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc.String(), h.fake.URL+"/logout?") ||
		loc.Query().Get("post_logout_redirect_uri") != h.srv.URL+"/signed-out" || loc.Query().Get("id_token_hint") == "" {
		t.Fatalf("sign-out: %d → %s", resp.StatusCode, loc)
	}
	if status, body := b.get("/signed-out"); status != 200 || !strings.Contains(body, "Session fermée") {
		t.Fatalf("signed-out page: %d %s", status, body)
	}
}

// TestPanelBackChannelLogout: the owner disables the technician while he
// is on the server panel: Sésame's logout token (sub alone) signs his
// browser out and refuses his older API tokens.
func TestPanelBackChannelLogout(t *testing.T) {
	h := newHarness(t, "server", 0)
	b := h.signIn("tech", "server:read", "server:operate")
	old := h.fake.AccessToken("tech", h.id, time.Hour)
	if status, _ := b.post("/servers/web-01/stop", nil); status != 303 {
		t.Fatalf("before: %d", status)
	}
	h.fake.Disable("tech")
	tok := h.fake.Sign("", "logout+jwt", h.fake.LogoutClaims(h.id, "tech", ""))
	resp, err := http.PostForm(h.srv.URL+"/backchannel-logout", url.Values{"logout_token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("logout token: %d", resp.StatusCode)
	}
	if status, _ := b.post("/servers/web-01/start", nil); status != http.StatusUnauthorized {
		t.Fatalf("write after the logout: %d, want 401", status)
	}
	if status, body := b.get("/servers"); status == 200 && strings.Contains(body, "web-01") {
		t.Fatalf("page after the logout: %d", status)
	}
	req, _ := http.NewRequest("GET", h.srv.URL+"/api/servers", nil)
	req.Header.Set("Authorization", "Bearer "+old)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("older token: %d, want 401", resp.StatusCode)
	}
	// The same token again was applied already: acknowledged.
	resp, _ = http.PostForm(h.srv.URL+"/backchannel-logout", url.Values{"logout_token": {tok}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replay: %d", resp.StatusCode)
	}
}

// TestPanelClaimsChange: a right removed reaches the page (token-based
// decision) and the writes (live decision) at once.
func TestPanelClaimsChange(t *testing.T) {
	h := newHarness(t, "server", time.Hour) // a long check cache: only the event can drop it
	b := h.signIn("tech", "server:read", "server:operate")
	if _, body := b.get("/servers"); strings.Contains(body, `disabled title="server:operate"`) {
		t.Fatal("buttons disabled before the change")
	}
	if status, _ := b.post("/servers/web-01/reboot", nil); status != 303 {
		t.Fatalf("before: %d", status)
	}
	h.fake.SetRights("tech", "server:read")
	tok := h.fake.Sign("", "secevent+jwt", h.fake.ClaimsChangeClaims(h.id, "tech", time.Now(), "server:read"))
	resp, err := http.Post(h.srv.URL+"/events", "application/secevent+jwt", strings.NewReader(tok))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("event: %d", resp.StatusCode)
	}
	if status, _ := b.post("/servers/web-01/reboot", nil); status != 403 {
		t.Fatalf("live write after the removal: %d, want 403", status)
	}
	if _, body := b.get("/servers"); !strings.Contains(body, `disabled title="server:operate"`) {
		t.Fatal("page still offers the buttons after the removal")
	}
}

// TestPanelPostgresStore: with a database URL, the panel keeps its
// revocations in PostgreSQL, in a table of its own.
func TestPanelPostgresStore(t *testing.T) {
	base := os.Getenv("SESAME_TEST_DATABASE_URL")
	if !strings.HasPrefix(base, "postgres") {
		t.Skip("SESAME_TEST_DATABASE_URL is not a PostgreSQL URL")
	}
	db, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := make([]byte, 6)
	rand.Read(r)
	schema := "panel_test_" + hex.EncodeToString(r)
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()

	h := newHarnessWith(t, "email", 0, func(c *Config) { c.DatabaseURL = u.String() })
	b := h.signIn("mgr", "email:read", "email:manage")
	tok := h.fake.Sign("", "logout+jwt", h.fake.LogoutClaims(h.id, "mgr", h.fake.SID("mgr")))
	resp, err := http.PostForm(h.srv.URL+"/backchannel-logout", url.Values{"logout_token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("logout token: %d", resp.StatusCode)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + schema + `.email_panel_revocations WHERE kind = 'sid'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows: %d %v", n, err)
	}
	if status, _ := b.post("/mailboxes/contact@example.cm/delete", nil); status != http.StatusUnauthorized {
		t.Fatalf("write after the logout: %d, want 401", status)
	}
	if _, err := New(Config{Product: "email", PublicURL: "http://localhost:1", Issuer: "http://localhost:2", ClientID: "c", ClientSecret: "s",
		DatabaseURL: "mysql://x"}); err == nil {
		t.Fatal("a non-PostgreSQL URL was accepted")
	}
}

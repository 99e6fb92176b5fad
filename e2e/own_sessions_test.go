package e2e_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestOwnSessions: a person lists their browser sessions, ends one from
// another browser (that browser is signed out, the product hears of it),
// then every other one, then the current one.
func TestOwnSessions(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w, rcv, rp := bclWorld(t, s)
		const email, pw = "nomade@example.cm", "Nomade!Partout2026"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
		laptop := bclSignIn(t, s, rp, email, pw, w.AccountID)
		phone := bclSignIn(t, s, rp, email, pw, w.AccountID)
		b := phone.Browser

		if p := b.Get("/account"); !strings.Contains(p.Body, `href="/account/sessions"`) {
			t.Fatal("the account page has no link to the sessions")
		}
		// "Mon compte" names the person's rights in words.
		label := ""
		for _, r := range rbac.Catalog() {
			if r.Right == "server:read" {
				label = r.Label("fr")
			}
		}
		if p := b.Get("/account"); label == "" || !strings.Contains(p.Body, "<li>"+html.EscapeString(label)+"</li>") {
			t.Fatalf("the account page does not name the right %q:\n%s", label, p.Body)
		}
		p := b.Get("/account/sessions")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Vos sessions") || strings.Count(p.Body, `name="sid"`) != 2 ||
			!strings.Contains(p.Body, "Cette session") || !strings.Contains(p.Body, `<span translate="no">Panel</span>`) {
			t.Fatalf("sessions page: %d\n%s", p.Status, p.Body)
		}
		// The current session comes first and is marked.
		if i, j := strings.Index(p.Body, phone.SID), strings.Index(p.Body, laptop.SID); i < 0 || j < i {
			t.Fatal("the current session is not listed first")
		}
		if p := b.Get("/account/sessions?lang=en"); !strings.Contains(p.Body, "Your sessions") || !strings.Contains(p.Body, "This session") {
			t.Fatalf("English page:\n%s", p.Body)
		}
		p = b.Get("/account/sessions?lang=fr")

		// Without the CSRF token, nothing ends.
		if p := b.Post("/account/sessions/end", map[string][]string{"sid": {laptop.SID}}); p.Status != http.StatusForbidden {
			t.Fatalf("end without CSRF: %d, want 403", p.Status)
		}
		form, ok := adminForm(t, p, "/account/sessions/end", "sid", laptop.SID)
		if !ok {
			t.Fatal("no end button for the other session")
		}
		p = b.Post("/account/sessions/end", form)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Session terminée.") || strings.Contains(p.Body, laptop.SID) {
			t.Fatalf("after ending: %d\n%s", p.Status, p.Body)
		}
		rcv.logoutToken(t, s, m.ID, laptop.SID)
		if p := laptop.Browser.Get("/account"); p.URL.Path != "/login" {
			t.Fatalf("the ended browser still reaches %s", p.URL)
		}
		if p := b.Post("/account/sessions/end", form); p.Status != http.StatusNotFound {
			t.Fatalf("ending it again: %d, want 404", p.Status)
		}

		// Every other session; this one stays.
		tablet := bclSignIn(t, s, rp, email, pw, w.AccountID)
		p = b.SubmitAction(b.Get("/account/sessions"), "/account/sessions/end-others", nil)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Toutes vos autres sessions sont terminées.") || strings.Count(p.Body, `name="sid"`) != 1 {
			t.Fatalf("after ending the others: %d\n%s", p.Status, p.Body)
		}
		rcv.logoutToken(t, s, m.ID, tablet.SID)
		if p := tablet.Browser.Get("/account"); p.URL.Path != "/login" {
			t.Fatalf("the tablet still reaches %s", p.URL)
		}

		// A session of someone else is not found.
		other := addLoginAccount(t, s, w.AccountID, "autre@example.cm", pw, "server:read")
		foreign := bclSignIn(t, s, rp, other.Email, pw, w.AccountID)
		form.Set("sid", foreign.SID)
		if p := b.Post("/account/sessions/end", form); p.Status != http.StatusNotFound {
			t.Fatalf("ending another person's session: %d, want 404", p.Status)
		}
		if p := foreign.Browser.Get("/account"); p.URL.Path != "/account" {
			t.Fatalf("the other person was signed out: %s", p.URL)
		}

		// The current one: this browser is signed out.
		p = b.SubmitAction(b.Get("/account/sessions"), "/account/sessions/end", nil)
		if p.URL.Path != "/login" {
			t.Fatalf("after ending the current session: %s", p.URL)
		}
		rcv.logoutToken(t, s, m.ID, phone.SID)
		if p := b.Get("/account/sessions"); p.URL.Path != "/login" {
			t.Fatalf("still signed in: %s", p.URL)
		}
	})
}

// TestSessionIdleTimeout: a browser session unused for two hours ends;
// using it keeps it open.
func TestSessionIdleTimeout(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			clock := &sesametest.Clock{}
			s := sesametest.Start(t, sesametest.Options{Postgres: pg, Now: clock.Now})
			w, _, rp := bclWorld(t, s)
			const email, pw = "distrait@example.cm", "Distrait!Souvent2026"
			addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
			b := bclSignIn(t, s, rp, email, pw, w.AccountID).Browser
			for range 2 {
				clock.Advance(2*time.Hour - time.Minute)
				if p := b.Get("/account"); p.URL.Path != "/account" {
					t.Fatalf("used within the idle timeout, yet signed out: %s", p.URL)
				}
			}
			if p := b.Get("/account/sessions"); !strings.Contains(p.Body, "Dernière utilisation") {
				t.Fatalf("sessions page:\n%s", p.Body)
			}
			clock.Advance(2*time.Hour + time.Second)
			if p := b.Get("/account"); p.URL.Path != "/login" {
				t.Fatalf("idle for two hours, still signed in: %s", p.URL)
			}
		})
	}
}

// TestOwnerEndsMemberSession: the owner sees a login account's sessions on
// its console page and ends one; the person is signed out, the product
// hears of it and the activity log keeps it.
func TestOwnerEndsMemberSession(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w, rcv, rp := bclWorld(t, s)
		const email, pw = "technicien@example.cm", "Technicien!Actif2026"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
		ses := bclSignIn(t, s, rp, email, pw, w.AccountID)

		b := s.NewBrowser(t)
		b.Submit(b.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
		path := "/console/members/" + m.ID
		p := b.Get(path)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Sessions ouvertes") || !strings.Contains(p.Body, `<span translate="no">Panel</span>`) {
			t.Fatalf("member page: %d\n%s", p.Status, p.Body)
		}
		form, ok := adminForm(t, p, path+"/sessions/end", "sid", ses.SID)
		if !ok {
			t.Fatal("no end button for the session")
		}
		p = b.Post(path+"/sessions/end", form)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Session terminée.") || strings.Contains(p.Body, ses.SID) {
			t.Fatalf("after ending: %d\n%s", p.Status, p.Body)
		}
		rcv.logoutToken(t, s, m.ID, ses.SID)
		if p := ses.Browser.Get("/account"); p.URL.Path != "/login" {
			t.Fatalf("the person is still signed in: %s", p.URL)
		}
		if p := b.Post(path+"/sessions/end", form); p.Status != http.StatusNotFound {
			t.Fatalf("ending it again: %d, want 404", p.Status)
		}
		var n int
		if err := s.DB.GetContext(context.Background(), &n, s.DB.Rebind(`SELECT COUNT(*) FROM audit_events
			WHERE account_id = ? AND action = ? AND actor_email = ? AND target = ?`), w.AccountID, audit.SessionEnded, ownerEmail, email); err != nil || n != 1 {
			t.Fatalf("activity log: %d entries (%v), want 1", n, err)
		}

		// A person without the owner's role sees no sessions of others.
		const email2, pw2 = "gestionnaire@example.cm", "Gestion!Membres2026"
		addLoginAccount(t, s, w.AccountID, email2, pw2, "members:manage")
		b2 := s.NewBrowser(t)
		b2.Submit(b2.Get("/login"), "password", url.Values{"email": {email2}, "password": {pw2}, "account_id": {w.AccountID}})
		if p := b2.Get(path); p.Status == http.StatusOK && strings.Contains(p.Body, "Sessions ouvertes") {
			t.Fatal("a manager who is not the owner sees the sessions")
		}
		if p := b2.Post(path+"/sessions/end", form); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
			t.Fatalf("a manager ends a session: %d", p.Status)
		}
	})
}

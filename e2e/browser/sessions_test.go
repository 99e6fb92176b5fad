package browser_test

import (
	"strings"
	"testing"
)

// TestOwnSessionsOnPhone: in French on a 360 px screen, a person lists
// their sessions at /account/sessions, the current one marked first, and
// ends the other one; that browser is signed out. Every page passes the
// page checks.
func TestOwnSessionsOnPhone(t *testing.T) {
	w := start(t)
	b := startBrowser(t, w.URL)

	other := b.newTab("sessions-other", "fr")
	w.signInOwner(other)

	tb := b.newTab("sessions", "fr")
	tb.phone()
	w.signInOwner(tb)
	tb.page(w.URL+"/account/sessions", "sessions", 200)
	if got := tb.text("h1"); got != "Vos sessions" {
		t.Fatalf("title %q", got)
	}
	if n := eval[int](tb, `document.querySelectorAll("li.session").length`); n != 2 {
		t.Fatalf("%d sessions listed, want 2", n)
	}
	if got := tb.text("li.session.current h3"); !strings.Contains(got, "Chrome sur Linux") || !strings.Contains(got, "Cette session") {
		t.Fatalf("current session %q", got)
	}
	if !eval[bool](tb, `document.querySelector("li.session").classList.contains("current")`) {
		t.Fatal("the current session is not first")
	}
	if st := tb.click("li.session:not(.current) form button[type=submit]"); st != 200 {
		t.Fatalf("end the other session: %d", st)
	}
	tb.snap("sessions-ended")
	if got := tb.text("p.notice[role=status]"); !strings.HasPrefix(got, "Session terminée.") {
		t.Fatalf("notice %q", got)
	}
	if n := eval[int](tb, `document.querySelectorAll("li.session").length`); n != 1 {
		t.Fatalf("%d sessions left, want 1", n)
	}
	other.open(w.URL + "/account")
	if p := other.url().Path; p != "/login" {
		t.Fatalf("the ended browser is at %s, want the login page", p)
	}
}

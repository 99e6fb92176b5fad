package browser_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestOwnerDisablesTechnician: the technician works on the server panel;
// the owner, in another browser, disables him in the console; the
// technician's next page at the panel refuses him and sends him to
// Sésame's sign-in. Two Sésame instances share the PostgreSQL database
// (either may deliver the logout token).
func TestOwnerDisablesTechnician(t *testing.T) {
	b := startBrowser(t, "")
	w := startWith(t, sesametest.Options{Postgres: true})
	sesametest.Start(t, sesametest.Options{DatabaseURL: w.DatabaseURL, Issuer: w.URL})
	b = b.with(t, w.URL)
	const email = "technicien@example.cm"
	tech := w.addLoginAccount(t, email, "server:read", "server:operate")
	panel := w.StartPanel(t, "server", 5*time.Second)

	tt := b.newTab("technician", "fr")
	tt.open(panel.URL + "/")
	tt.click("main a.button")
	tt.click(".tabs a[href*='tab=member']")
	tt.fill("#email", email)
	tt.fill("#password", strongPassword)
	tt.fill("#account_id", w.AccountID)
	tt.click("form[action='/login'] button[type=submit]")
	if st := tt.open(panel.URL + "/servers"); st != 200 || !strings.Contains(tt.text("main"), "web-01") {
		t.Fatalf("servers page of the technician: %d at %s", st, tt.url())
	}
	tt.shot("disable-1-technician-on-panel")

	owner := b.newTab("owner", "fr")
	w.signInOwner(owner)
	owner.open(w.URL + "/console/members/" + tech.ID)
	owner.shot("disable-2-owner-member-page")
	if st := owner.click("form[action='/console/members/" + tech.ID + "/disable'] button[type=submit]"); st != 200 {
		t.Fatalf("disable: status %d", st)
	}
	disabled := time.Now()

	// The technician reloads the panel page: refused, sent to sign in.
	for {
		tt.open(panel.URL + "/servers")
		if u := tt.url(); strings.HasPrefix(u.String(), w.URL+"/login") {
			break
		}
		if time.Since(disabled) > time.Second {
			t.Fatalf("the panel still serves the disabled technician %v after the console's answer: %s", time.Since(disabled), tt.url())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the panel refused the technician %v after the console's answer", time.Since(disabled))
	if !strings.Contains(tt.text("main"), "Compte de connexion") {
		t.Fatalf("not Sésame's sign-in page:\n%s", tt.text("main"))
	}
	tt.shot("disable-4-technician-refused")

	if got := owner.text("[role=status]"); !strings.Contains(got, "désactivé") {
		t.Fatalf("no confirmation after disabling, got %q", got)
	}
	owner.shot("disable-3-owner-disabled")
}

package browser_test

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var resetLinkPattern = regexp.MustCompile(`https?://[^\s"<>]+/password-reset/[A-Za-z0-9_-]+`)

// TestResetWithoutAccountID: a login account that leaves the account ID
// empty gets its link; the page says the same to an unknown address.
func TestResetWithoutAccountID(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		bob := w.addLoginAccount(t, "bob@example.cm", "domain:read")
		ask := func(email string) string {
			tb.open(w.URL + "/password-reset")
			tb.fill("#email", email)
			if st := tb.click("form[action='/password-reset'] button[type=submit]"); st != 200 {
				t.Fatalf("reset request for %s: status %d", email, st)
			}
			return tb.text("main")
		}
		known := ask(bob.Email)
		tb.snap("reset-sent")
		if unknown := ask("nobody@example.cm"); unknown != known {
			t.Fatalf("the page differs for an unknown address:\n%s\n---\n%s", unknown, known)
		}
		msg := w.Mail.WaitFor(t, bob.Email, 10*time.Second)
		link := resetLinkPattern.FindString(msg.Text)
		if link == "" || !strings.Contains(msg.Text, w.AccountID) {
			t.Fatalf("reset email without a link for %s:\n%s", w.AccountID, msg.Text)
		}
		tb.page(link, "reset-password", 200)
	})
}

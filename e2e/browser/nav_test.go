package browser_test

import (
	"strings"
	"testing"
)

// TestSessionHeader: the account and console pages share one header that
// says who is signed in and in which account, links to the areas the
// person may open, and signs out.
func TestSessionHeader(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		w.signInOwner(tb)
		for _, path := range []string{"/account", "/console/members", "/console/audit", "/account/password"} {
			tb.open(w.URL + path)
			got := tb.text("header nav.session")
			if !strings.Contains(got, ownerEmail) || !strings.Contains(got, "Acme Hébergement") || !strings.Contains(got, w.AccountID) {
				t.Fatalf("%s: the header does not say who and which account:\n%s", path, got)
			}
			if n := eval[int](tb, `document.querySelectorAll("header nav.session a[href='/console/members'], header nav.session a[href='/account'], header nav.session a[href='/console/audit']").length`); n != 3 {
				t.Fatalf("%s: %d links to the areas, want 3", path, n)
			}
		}
		tb.snap("header-owner")
		if st := tb.click("header nav.session form[action='/logout'] button[type=submit]"); st != 200 {
			t.Fatalf("sign out from the header: status %d", st)
		}
		if tb.open(w.URL + "/account"); tb.url().Path != "/login" {
			t.Fatalf("still signed in after signing out from the header: %s", tb.url())
		}

		bob := w.addLoginAccount(t, "bob@example.cm", "domain:read")
		tb.open(w.URL + "/login?tab=member")
		tb.fill("#account_id", w.AccountID)
		tb.fill("#email", bob.Email)
		tb.fill("#password", strongPassword)
		tb.click("form[action='/login'] button[type=submit]")
		if n := eval[int](tb, `document.querySelectorAll("header nav.session a[href^='/console']").length`); n != 0 || !strings.Contains(tb.text("header nav.session"), bob.Email) {
			t.Fatalf("a login account without members:manage: %d console links", n)
		}
		tb.snap("header-login-account")
	})
}

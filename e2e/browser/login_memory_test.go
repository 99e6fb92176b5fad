package browser_test

import (
	"testing"
)

// TestLoginRemembersTab: the sign-in page comes back on the login
// account's tab with its account ID after a sign-in, and every failed
// sign-in points to the other tab, alike for known and unknown emails.
func TestLoginRemembersTab(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		bob := w.addLoginAccount(t, "bob@example.cm", "domain:read")
		fail := func(email string) string {
			tb.open(w.URL + "/login")
			tb.fill("#email", email)
			tb.fill("#password", "Not-the-Passw0rd!")
			if st := tb.click("form[action='/login'] button[type=submit]"); st != 401 {
				t.Fatalf("failed sign-in of %s: status %d", email, st)
			}
			return tb.text("#login-other-tab")
		}
		known, unknown := fail(bob.Email), fail("nobody@example.cm")
		if known == "" || known != unknown {
			t.Fatalf("the hint about login accounts differs or is missing: %q vs %q", known, unknown)
		}
		tb.snap("login-failed-hint")
		if st := tb.click("#login-other-tab a"); st != 200 || tb.url().Query().Get("tab") != "member" {
			t.Fatalf("the hint's link: status %d at %s", st, tb.url())
		}
		tb.fill("#account_id", w.AccountID)
		tb.fill("#email", bob.Email)
		tb.fill("#password", strongPassword)
		if st := tb.click("form[action='/login'] button[type=submit]"); st != 200 || tb.url().Path != "/account" {
			t.Fatalf("login account sign-in: status %d at %s", st, tb.url())
		}
		tb.open(w.URL + "/oauth2/logout")
		tb.click("form[action='/logout'] button[type=submit]")
		tb.open(w.URL + "/login")
		if got := eval[string](tb, `document.querySelector(".tabs a[aria-current=page]").getAttribute("href")`); got != "/login?tab=member" {
			t.Fatalf("the page came back on tab %q, want the login account's", got)
		}
		if got := tb.value("#account_id"); got != w.AccountID {
			t.Fatalf("account ID %q, want %s remembered", got, w.AccountID)
		}
		tb.snap("login-remembered")
	})
}

package browser_test

import (
	"strings"
	"testing"
)

// TestDelegatedManager: a login account holding members:manage sees each
// member's current rights, cannot edit someone holding more than itself
// and is told why, and a refused grant says it can only give what it
// holds.
func TestDelegatedManager(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		mgr := w.addLoginAccount(t, "mgr@example.cm", "members:manage", "server:read", "server:operate")
		tech := w.addLoginAccount(t, "tech@example.cm", "server:read")
		accountant := w.addLoginAccount(t, "compta@example.cm", "billing:read")
		tb.open(w.URL + "/login?tab=member")
		tb.fill("#account_id", w.AccountID)
		tb.fill("#email", mgr.Email)
		tb.fill("#password", strongPassword)
		tb.click("form[action='/login'] button[type=submit]")

		tb.open(w.URL + "/console/members/" + tech.ID)
		view := map[string]string{"fr": "Consulter les serveurs", "en": "View servers"}[tb.lang]
		if got := tb.text("#member-current"); !strings.Contains(got, view) {
			t.Fatalf("current rights not shown: %q", got)
		}
		tb.fill("#member-narrowed", "billing:read")
		if st := tb.click("form[action$='/rights'] button[type=submit]"); st != 403 {
			t.Fatalf("granting billing:read: status %d, want 403", st)
		}
		only := map[string]string{"fr": "vous ne pouvez donner que les droits que vous avez", "en": "you can only give the rights you hold"}[tb.lang]
		if got := tb.text("#member-error"); !strings.Contains(got, only) {
			t.Fatalf("refusal not explained: %q", got)
		}
		tb.snap("member-refused")

		tb.open(w.URL + "/console/members/" + accountant.ID)
		if tb.text("#member-locked") == "" || eval[int](tb, `document.querySelectorAll("form[action$='/rights']").length`) != 0 {
			t.Fatal("a member holding more than the manager can be edited, or nothing says why")
		}
		if got := tb.text("#member-current"); !strings.Contains(got, map[string]string{"fr": "Consulter les factures", "en": "View invoices"}[tb.lang]) {
			t.Fatalf("current rights of the accountant not shown: %q", got)
		}
		tb.snap("member-locked")
	})
}

package browser_test

import (
	"strings"
	"testing"
)

// summaryAt checks the page just shown after a refused form: an error
// summary at the top holds the focus and links to field, which keeps its
// own message next to it (errID).
func summaryAt(t *testing.T, tb *tab, field, errID string) {
	t.Helper()
	if !eval[bool](tb, `document.activeElement && document.activeElement.id === "error-summary"`) {
		t.Fatalf("the focus is on %q, not on the error summary", eval[string](tb, `document.activeElement ? document.activeElement.outerHTML.slice(0, 80) : ""`))
	}
	top := eval[float64](tb, `document.getElementById("error-summary").getBoundingClientRect().top`)
	if h := eval[float64](tb, `window.innerHeight`); top < 0 || top > h {
		t.Fatalf("the error summary is off-screen: top %v, screen %v", top, h)
	}
	if href := eval[string](tb, `document.querySelector("#error-summary a").getAttribute("href")`); href != "#"+field {
		t.Fatalf("the summary links to %q, want #%s", href, field)
	}
	if sum, got := tb.text("#error-summary a"), tb.text("#"+errID); sum == "" || !strings.Contains(got, sum) {
		t.Fatalf("the message next to the field (%q) does not repeat the summary's (%q)", got, sum)
	}
	tb.do(clickOnly("#error-summary a"))
	if got := eval[string](tb, `location.hash`); got != "#"+field {
		t.Fatalf("the summary's link went to %q", got)
	}
}

// TestErrorSummary: a refused invitation and a refused admin form show
// their errors at the top, focused, with links to the fields.
func TestErrorSummary(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		w.signInOwner(tb)
		tb.open(w.URL + "/console/members")
		tb.fill("#invite-email", "not-an-email")
		if st := tb.click("form[action='/console/invitations'] button[type=submit]"); st != 400 {
			t.Fatalf("invalid invitee email: status %d, want 400", st)
		}
		summaryAt(t, tb, "invite-email", "invite-email-error")
		tb.snap("console-error-summary")

		admin := tb
		w.signInAdmin(admin)
		admin.open(w.URL + "/admin/accounts/" + w.AccountID)
		admin.fill("#grant-subject", "nobody@example.cm")
		if st := admin.click("form input[name=ptype][value=p] ~ button[type=submit]"); st != 400 {
			t.Fatalf("grant to a stranger: status %d, want 400", st)
		}
		summaryAt(t, admin, "grant-subject", "grant-error")
		admin.snap("admin-error-summary")
	})
}

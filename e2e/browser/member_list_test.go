package browser_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/account"
)

// TestMemberList: the console's list of login accounts pages, searches,
// filters by status and right, and disables a selection at once.
func TestMemberList(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		var made []account.Member
		for i := range 55 {
			right := "server:read"
			if i%5 == 0 {
				right = "billing:read"
			}
			made = append(made, w.addLoginAccount(t, fmt.Sprintf("tech-%02d@example.cm", i), right))
		}
		w.signInOwner(tb)
		tb.open(w.URL + "/console/members")
		if n := eval[int](tb, `document.querySelector("table.stack").tBodies[0].rows.length`); n != 50 {
			t.Fatalf("%d rows on the first page, want 50", n)
		}
		if tb.text(".pager a") == "" {
			t.Fatal("no link to the next page of 56 people")
		}
		tb.snap("console-list")
		tb.open(w.URL + "/console/members?q=tech-07")
		if got := tb.text("table.stack tbody"); !strings.Contains(got, "tech-07@example.cm") || strings.Contains(got, "tech-08@example.cm") {
			t.Fatalf("search tech-07:\n%s", got)
		}
		tb.open(w.URL + "/console/members?right=billing:read")
		if n := eval[int](tb, `document.querySelector("table.stack").tBodies[0].rows.length`); n != 11+1 { // 11 accountants and the owner
			t.Fatalf("filter by billing:read: %d rows, want 12", n)
		}
		tb.do(clickOnly("input[name=ids][value='"+made[0].ID+"']"), clickOnly("input[name=ids][value='"+made[5].ID+"']"))
		if st := tb.click("#bulk-disable button[type=submit]"); st != 200 || tb.url().Query().Get("done") != "console_done_bulk_disabled" {
			t.Fatalf("bulk disable: status %d at %s", st, tb.url())
		}
		tb.open(w.URL + "/console/members?status=disabled")
		if got, n := tb.text("table.stack tbody"), eval[int](tb, `document.querySelector("table.stack").tBodies[0].rows.length`); n != 2 || !strings.Contains(got, made[5].Email) {
			t.Fatalf("disabled filter after the bulk disable:\n%s", got)
		}
		tb.snap("console-list-disabled")
	})
}

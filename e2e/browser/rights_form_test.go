package browser_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// TestPickingRights: the role template comes first and ticks its rights;
// a right can be narrowed with "only:" and a resource; an invitation with
// no rights at all is held back until confirmed.
func TestPickingRights(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		if _, err := w.Rights.SaveTemplate(context.Background(), rbac.Actor{ID: "adm", Email: "root@sesame.test"},
			rbac.Template{ID: "technicien", NameFR: "Technicien·ne", NameEN: "Technician", Rights: []string{"server:read", "server:operate"}}); err != nil {
			t.Fatal(err)
		}
		w.signInOwner(tb)
		tb.open(w.URL + "/console/members")
		if !eval[bool](tb, `(() => { const s = document.getElementById("invite-template"), f = document.querySelector("fieldset.rights"); return !!s && !!f && !!(s.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING); })()`) {
			t.Fatal("the role template is not above the rights")
		}
		tb.do(chromedp.SetValue(chromedp.CSS("#invite-template"), "technicien"),
			chromedp.Evaluate[chromedp.Void](`document.getElementById("invite-template").dispatchEvent(new Event("change"))`))
		if !eval[bool](tb, `document.querySelector("input[name=rights][value='server:operate']").checked && document.querySelector("input[name=rights][value='server:read']").checked`) {
			t.Fatal("the template did not tick its rights")
		}
		tb.snap("console-template-ticked")

		// No rights: held back, then confirmed.
		tb.open(w.URL + "/console/members")
		tb.fill("#invite-email", "vide@example.cm")
		if st := tb.click("form[action='/console/invitations'] button[type=submit]"); st != 400 {
			t.Fatalf("invitation without rights: status %d, want 400", st)
		}
		summaryAt(t, tb, "invite-no-rights-ok", "invite-no-rights-error")
		tb.snap("console-no-rights")
		tb.do(clickOnly("#invite-no-rights-ok"))
		if st := tb.click("form[action='/console/invitations'] button[type=submit]"); st != 200 || tb.url().Query().Get("done") != "console_done_invited" {
			t.Fatalf("confirmed invitation without rights: status %d at %s", st, tb.url())
		}

		// "only:" narrows a right to the resource typed.
		tb.fill("#invite-email", "dns@example.cm")
		tb.do(clickOnly("input[name=rights][value='domain:dns']"), clickOnly("input[name='scope:domain:dns'][value=only]"))
		tb.fill("input[name='resource:domain:dns']", "example.cm")
		tb.click("form[action='/console/invitations'] button[type=submit]")
		if got := tb.text("body"); !strings.Contains(got, "example.cm") {
			t.Fatalf("the narrowed right is not in the invitation:\n%s", got)
		}
		invs, err := w.Members.Invitations(context.Background(), members.Operator(), w.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, inv := range invs {
			if inv.Email == "dns@example.cm" {
				found = len(inv.Grants) == 1 && inv.Grants[0].Right == "domain:dns:example.cm"
			}
		}
		if !found {
			t.Fatalf("invitation rights: %+v", invs)
		}

		// The member page keeps a narrowed right narrowed.
		narrow := w.addLoginAccount(t, "zone@example.cm", "domain:dns:example.cm")
		tb.open(w.URL + "/console/members/" + narrow.ID)
		if !eval[bool](tb, `document.querySelector("input[name='scope:domain:dns'][value=only]").checked`) || tb.value("input[name='resource:domain:dns']") != "example.cm" {
			t.Fatal("the member page does not show the right as narrowed to example.cm")
		}
		tb.click("form[action$='/rights'] button[type=submit]")
		held, err := w.Rights.Grants(context.Background(), w.AccountID, narrow.ID)
		if err != nil || len(held) != 1 || held[0].Right != "domain:dns:example.cm" {
			t.Fatalf("after saving unchanged: %+v, %v", held, err)
		}
	})
}

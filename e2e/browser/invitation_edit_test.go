package browser_test

import (
	"context"
	"testing"

	"github.com/sesame-idp/sesame/members"
)

// TestEditPendingInvitation: the owner changes the rights of an
// invitation not yet accepted, from the console's list.
func TestEditPendingInvitation(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		w.signInOwner(tb)
		tb.open(w.URL + "/console/members")
		tb.fill("#invite-email", "lea@example.cm")
		tb.do(clickOnly("input[name=rights][value='server:read']"))
		tb.click("form[action='/console/invitations'] button[type=submit]")
		if st := tb.click("a[href^='/console/invitations/inv_']"); st != 200 {
			t.Fatalf("the invitation's page: status %d", st)
		}
		tb.snap("invitation-edit")
		tb.do(clickOnly("input[name=rights][value='server:read']"), clickOnly("input[name=rights][value='billing:read']"))
		if st := tb.click("form[action$='/rights'] button[type=submit]"); st != 200 || tb.url().Query().Get("done") != "console_done_invitation_rights" {
			t.Fatalf("saving the invitation's rights: status %d at %s", st, tb.url())
		}
		invs, err := w.Members.Invitations(context.Background(), members.Operator(), w.AccountID)
		if err != nil || len(invs) != 1 || len(invs[0].Grants) != 1 || invs[0].Grants[0].Right != "billing:read" {
			t.Fatalf("invitation after the change: %+v, %v", invs, err)
		}
	})
}

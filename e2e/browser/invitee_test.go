package browser_test

import (
	"strings"
	"testing"
)

// TestInviteePage: the set-password page says which account, who
// invited, which rights and until when; a differing confirmation is told
// next to the confirmation, with no rule ticked beside the emptied
// password; the link opened again after use says the password is set.
func TestInviteePage(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		invitee := "binta." + tb.lang + "@example.cm"
		owner := tb
		w.signInOwner(owner)
		owner.open(w.URL + "/console/members")
		owner.fill("#invite-email", invitee)
		owner.do(clickOnly("input[name=rights][value='server:read']"))
		owner.click("form[action='/console/invitations'] button[type=submit]")
		owner.open(w.URL + "/oauth2/logout")
		owner.click("form[action='/logout'] button[type=submit]")

		link := w.invitationLink(t, invitee)
		tb.open(link)
		facts := tb.text(".invite-context")
		servers := map[string]string{"fr": "Consulter les serveurs", "en": "View servers"}[tb.lang]
		for _, want := range []string{"Acme Hébergement", ownerEmail, servers} {
			if !strings.Contains(facts, want) {
				t.Fatalf("the page does not say %q:\n%s", want, facts)
			}
		}
		tb.snap("invitation-context")

		tb.fill("#account_id", w.AccountID)
		tb.fill("#email", invitee)
		tb.fill("#password", strongPassword)
		tb.fill("#password_confirm", strongPassword+"x")
		if st := tb.click("form button[type=submit]"); st != 400 {
			t.Fatalf("differing confirmation: status %d, want 400", st)
		}
		mismatch := map[string]string{"fr": "Les deux mots de passe ne sont pas identiques.", "en": ""}[tb.lang]
		got := tb.text("#password_confirm-error")
		if got == "" || (mismatch != "" && got != mismatch) {
			t.Fatalf("no mismatch next to the confirmation: %q", got)
		}
		if n := eval[int](tb, `document.querySelectorAll("#password-rules li.ok").length`); n != 0 || tb.value("#password") != "" {
			t.Fatalf("%d rules ticked beside the emptied password", n)
		}
		tb.snap("invitation-confirm-mismatch")

		tb.fill("#name", "Binta Ndiaye")
		tb.fill("#password", strongPassword)
		tb.fill("#password_confirm", strongPassword)
		if st := tb.click("form button[type=submit]"); st != 200 || tb.url().Path != "/login" {
			t.Fatalf("set password: status %d at %s", st, tb.url())
		}
		// The name reaches the owner's list of login accounts.
		w.signInOwner(tb)
		tb.open(w.URL + "/console/members")
		if got := tb.text("table tbody"); !strings.Contains(got, "Binta Ndiaye") {
			t.Fatalf("the owner's list does not show the name:\n%s", got)
		}
		tb.snap("console-member-name")
		tb.open(w.URL + "/oauth2/logout")
		tb.click("form[action='/logout'] button[type=submit]")
		if st := tb.open(link); st != 410 {
			t.Fatalf("used link: status %d, want 410", st)
		}
		set := map[string]string{"fr": "Votre mot de passe est déjà défini", "en": "Your password is already set"}[tb.lang]
		if got := tb.text("main"); !strings.Contains(got, set) {
			t.Fatalf("the used link does not say the password is set:\n%s", got)
		}
		if tb.text("main a[href='/login']") == "" {
			t.Fatal("no link to sign in")
		}
		tb.snap("invitation-used")
	})
}

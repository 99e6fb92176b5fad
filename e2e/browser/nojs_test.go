package browser_test

import (
	"strings"
	"testing"
)

// TestWithoutJavaScript runs the essential forms with scripts turned off:
// signing in, inviting, setting a password (refused, then accepted) and
// the invitee's first sign-in all work with plain HTML forms.
func TestWithoutJavaScript(t *testing.T) {
	w := start(t)
	b := startBrowser(t, w.URL)
	const invitee = "dan@example.cm"

	owner := b.newTab("owner-nojs", "fr")
	owner.withoutJavaScript()
	w.signInOwner(owner)
	owner.open(w.URL + "/console/members")
	owner.fill("#invite-email", invitee)
	owner.do(clickOnly("input[name=rights][value='server:read']"))
	owner.click("form[action='/console/invitations'] button[type=submit]")
	if got := owner.text("[role=status]"); !strings.Contains(got, "Invitation enregistrée") {
		t.Fatalf("invite without JavaScript: %q", got)
	}

	dan := b.newTab("invitee-nojs", "fr")
	dan.withoutJavaScript()
	dan.open(w.invitationLink(t, invitee))
	dan.fill("#account_id", w.AccountID)
	dan.fill("#email", invitee)
	dan.fill("#password", "court")
	dan.fill("#password_confirm", "court")
	if eval[bool](dan, withRules(`ruleIs("lower", "ok")`)) {
		t.Fatal("the checklist reacted: scripts are not off in this tab")
	}
	if st := dan.click("form button[type=submit]"); st != 400 {
		t.Fatalf("weak password without JavaScript: status %d, want 400", st)
	}
	// The server marks the refused rules itself, and ticks none beside
	// the emptied password field.
	if !eval[bool](dan, withRules(`ruleIs("too_short", "failed") && ruleIs("digit", "failed") && !ruleIs("lower", "ok") && !ruleIs("lower", "failed")`)) {
		t.Fatal("the server did not mark the refused rules")
	}
	dan.shot("nojs-invitation-weak")
	dan.fill("#password", strongPassword)
	dan.fill("#password_confirm", strongPassword)
	dan.click("form button[type=submit]")
	if u := dan.url(); u.Path != "/login" || u.Query().Get("tab") != "member" {
		t.Fatalf("after setting the password without JavaScript: %s", u)
	}
	dan.fill("#email", invitee)
	dan.fill("#password", strongPassword)
	dan.click("form[action='/login'] button[type=submit]")
	if u := dan.url(); u.Path != "/account" {
		t.Fatalf("first sign-in without JavaScript: %s", u)
	}
	if got := dan.text(".facts"); !strings.Contains(got, w.AccountID) || !strings.Contains(got, invitee) {
		t.Fatalf("account page:\n%s", got)
	}
}

package browser_test

import (
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestInvitationJourney is the seed journey in a real browser: the owner
// signs in and invites from the console, the email arrives, the invitee
// opens the link, watches the live password checklist, is refused a weak
// password, sets a strong one, lands on the sign-in page with the account
// ID filled in, then signs in at the demo domain panel through the
// "Compte de connexion" tab and sees its account and rights there.
//
// It runs on SQLite, and on PostgreSQL when SESAME_TEST_DATABASE_URL is set.
func TestInvitationJourney(t *testing.T) {
	b := startBrowser(t, "")
	t.Run("sqlite", func(t *testing.T) { journey(t, b, sesametest.Options{}) })
	t.Run("postgres", func(t *testing.T) { journey(t, b, sesametest.Options{Postgres: true}) })
}

func journey(t *testing.T, b *browser, o sesametest.Options) {
	w := startWith(t, o)
	panel := w.StartPanel(t, "domain", -1)
	b = b.with(t, w.URL)
	const invitee = "alice@example.cm"

	owner := b.newTab("owner", "fr")
	w.signInOwner(owner)
	owner.shot("journey-1-account")
	if got := owner.text("main h1"); got != "Votre compte" {
		t.Fatalf("account page title %q", got)
	}
	owner.click("a[href='/console/members']")
	owner.fill("#invite-email", invitee)
	owner.do(clickOnly("input[name=rights][value='domain:read']"))
	owner.shot("journey-2-console-filled")
	if st := owner.click("form[action='/console/invitations'] button[type=submit]"); st != 200 {
		t.Fatalf("invite: status %d", st)
	}
	if got := owner.text("[role=status]"); !strings.Contains(got, "Invitation enregistrée") {
		t.Fatalf("no confirmation after inviting, got %q", got)
	}
	if body := owner.text("main"); !strings.Contains(body, invitee) {
		t.Fatalf("the console does not list the invitation:\n%s", body)
	}
	owner.shot("journey-3-console-invited")

	link := w.invitationLink(t, invitee)
	alice := b.newTab("invitee", "fr")
	if st := alice.open(link); st != 200 {
		t.Fatalf("invitation link: status %d", st)
	}
	alice.fill("#account_id", w.AccountID)
	alice.fill("#email", invitee)
	// The checklist follows the typing (JavaScript), rule by rule.
	alice.fill("#password", "abc")
	alice.waitJS(`ruleIs("lower", "ok") && !ruleIs("upper", "ok") && !ruleIs("too_short", "ok")`)
	alice.fill("#password", strongPassword)
	alice.waitJS(`["too_short", "upper", "lower", "digit", "special"].every(r => ruleIs(r, "ok"))`)
	alice.shot("journey-4-password-checklist")
	// The server refuses a weak password, next to the field, and says why.
	alice.fill("#password", "password")
	alice.fill("#password_confirm", "password")
	if st := alice.click("form button[type=submit]"); st != 400 {
		t.Fatalf("weak password: status %d, want 400", st)
	}
	if msg := alice.text("#password-error"); !strings.Contains(msg, "ne respecte pas les règles") {
		t.Fatalf("weak password message %q", msg)
	}
	if !eval[bool](alice, withRules(`ruleIs("upper", "failed") && document.getElementById("password").getAttribute("aria-invalid") === "true"`)) {
		t.Fatal("the refused rules are not marked next to the password field")
	}
	if got := alice.value("#account_id"); got != w.AccountID {
		t.Fatalf("the account ID was not kept after the refusal: %q", got)
	}
	alice.shot("journey-5-password-refused")
	alice.fill("#password", strongPassword)
	alice.fill("#password_confirm", strongPassword)
	alice.click("form button[type=submit]")
	if u := alice.url(); u.Path != "/login" {
		t.Fatalf("after setting the password: %s", u)
	}
	if got := alice.value("#account_id"); got != w.AccountID {
		t.Fatalf("account ID not filled in on the sign-in page: %q", got)
	}
	if got := alice.text("[role=status]"); !strings.Contains(got, "mot de passe est enregistré") {
		t.Fatalf("no notice after setting the password: %q", got)
	}
	alice.shot("journey-6-login-member")

	// At the demo domain panel: sign in through Sésame.
	alice.open(panel.URL + "/")
	alice.shot("journey-7-panel")
	alice.click("main a.button")
	if u := alice.url(); !strings.HasPrefix(u.String(), w.URL+"/login") {
		t.Fatalf("the panel did not send to Sésame's sign-in: %s", u)
	}
	alice.click(".tabs a[href*='tab=member']")
	if got := alice.text(".tabs [aria-current=page]"); got != "Compte de connexion" {
		t.Fatalf("current tab %q", got)
	}
	if href := eval[string](alice, `document.querySelector(".lang a").getAttribute("href")`); !strings.Contains(href, "ticket=") {
		t.Errorf("the language switch drops the sign-in request: %q", href)
	}
	alice.fill("#email", invitee)
	alice.fill("#password", strongPassword)
	alice.fill("#account_id", w.AccountID)
	alice.shot("journey-8-login-at-panel")
	alice.click("form[action='/login'] button[type=submit]")
	if u := alice.url(); !strings.HasPrefix(u.String(), panel.URL) {
		t.Fatalf("not back at the panel: %s", u)
	}
	who := alice.text("aside.identity")
	for _, want := range []string{w.AccountID, invitee, "domain:read"} {
		if !strings.Contains(who, want) {
			t.Fatalf("the panel does not show %q:\n%s", want, who)
		}
	}
	if rights := alice.text("aside.identity ul.rights"); rights != "domain:read" {
		t.Fatalf("the panel lists the rights %q, want exactly domain:read", rights)
	}
	alice.shot("journey-9-panel-signed-in")

	// The owner sees the new login account as active.
	owner.open(w.URL + "/console/members")
	if body := owner.text("main table"); !strings.Contains(body, invitee) || !strings.Contains(body, "Actif") {
		t.Fatalf("the console does not list %s as active:\n%s", invitee, body)
	}

	// Signing out at the panel is its form button (POST with a CSRF
	// token); it ends Sésame's session too and comes back to the panel.
	alice.click("header form[action='/logout'] button[type=submit]")
	if u := alice.url(); u.String() != panel.URL+"/signed-out?state="+u.Query().Get("state") || u.Query().Get("state") == "" {
		t.Fatalf("after signing out at the panel: %s", u)
	}
	if got := alice.text("h1"); got != "Session fermée" {
		t.Fatalf("signed-out page says %q", got)
	}
	alice.open(w.URL + "/account")
	if u := alice.url(); !strings.HasPrefix(u.Path, "/login") {
		t.Fatalf("Sésame's session survived the panel's sign-out: %s", u)
	}
}

package browser_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// TestEveryPage walks every page of Sésame in French and English on a
// desktop window, checking each one (console, CSP, headers, labels) and
// saving its screenshot.
func TestEveryPage(t *testing.T) {
	b := startBrowser(t, "")
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) { t.Parallel(); walkPages(t, b, lang, false) })
	}
}

// TestPhoneScreen walks the same pages on a 360×740 phone screen: none
// may scroll sideways, and every field keeps its label.
func TestPhoneScreen(t *testing.T) {
	b := startBrowser(t, "")
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) { t.Parallel(); walkPages(t, b, lang, true) })
	}
}

// walkPages visits each page as the person who would see it, in lang,
// on a fresh Sésame.
func walkPages(t *testing.T, b *browser, lang string, phone bool) {
	w := start(t)
	bob := w.addLoginAccount(t, "bob@example.cm", "domain:read", "server:read")
	b = b.with(t, w.URL)
	newTab := func(name string) *tab {
		tb := b.newTab(name+"-"+lang, lang)
		if phone {
			tb.phone()
		}
		return tb
	}
	// A long address: it must wrap, not widen the page.
	invitee := "carol.dupont-de-la-fontaine." + lang + "@services.hebergement-exemple.cm"

	guest := newTab("guest")
	guest.page(w.URL+"/login", "login-owner", 200)
	guest.page(w.URL+"/login?tab=member", "login-member", 200)
	guest.page(w.URL+"/password-reset", "reset-request", 200)
	guest.page(w.URL+"/password-reset/not-a-valid-token", "error-reset-link", 410)
	guest.page(w.URL+"/no-such-page", "error-not-found", 404)
	guest.page(w.URL+"/invitation/not-a-valid-token", "error-link-invalid", 410)

	// Products linked from "Mon compte": bob holds rights on the server
	// panel's product, not on the email panel's.
	for _, c := range []*sqlstore.Client{
		{ID: "server-panel", Name: "Panneau Serveurs", ClientURI: "https://servers.example.cm/", Product: "server"},
		{ID: "email-panel", Name: "Panneau Messagerie", ClientURI: "https://email.example.cm/", Product: "email"},
	} {
		c.RedirectURIs, c.Public = []string{c.ClientURI + "callback"}, true
		if err := w.Clients.CreateClient(context.Background(), c, ""); err != nil {
			t.Fatal(err)
		}
	}

	owner := newTab("owner")
	w.signInOwner(owner)
	if got := owner.text("#account-products"); !strings.Contains(got, "Panneau Serveurs") || !strings.Contains(got, "Panneau Messagerie") {
		t.Fatalf("the owner's products: %q, want both panels", got)
	}
	owner.snap("account")
	owner.page(w.URL+"/account/password", "password", 200)
	owner.open(w.URL + "/console/members")
	owner.fill("#invite-email", "not-an-email")
	if st := owner.click("form[action='/console/invitations'] button[type=submit]"); st != 400 {
		t.Fatalf("invalid invitee email: status %d, want 400", st)
	}
	if got := owner.text("#invite-email-error"); got == "" || !eval[bool](owner, `document.getElementById("invite-email").getAttribute("aria-invalid") === "true"`) {
		t.Fatalf("invalid invitee email: no error next to the field (%q)", got)
	}
	owner.snap("console-invalid-email")
	// The language switch of a form shown again after a post leads to
	// the form's page, not to the post's address.
	other := map[string]string{"fr": "en", "en": "fr"}[lang]
	owner.lang = other
	if st := owner.click(".lang a[hreflang=" + other + "]"); st != 200 || owner.url().Path != "/console/members" {
		t.Fatalf("language switch after a refused invitation: status %d at %s", st, owner.url())
	}
	owner.lang = lang
	owner.click(".lang a[hreflang=" + lang + "]")
	owner.fill("#invite-email", invitee)
	owner.do(clickOnly("input[name=rights][value='email:read']"))
	owner.click("form[action='/console/invitations'] button[type=submit]")
	owner.snap("console")
	owner.page(w.URL+"/console/members/"+bob.ID, "member", 200)
	owner.page(w.URL+"/console/audit", "audit", 200)
	consent(t, w, owner, lang == "fr")
	owner.page(w.URL+"/oauth2/logout", "logout", 200)
	owner.click("form[action='/logout'] button[type=submit]")
	if p := owner.url().Path; p != "/login" {
		t.Fatalf("after signing out: %s", p)
	}

	link := w.invitationLink(t, invitee)
	carol := newTab("invitee")
	carol.page(link, "invitation", 200)
	carol.fill("#account_id", "id000001")
	carol.fill("#email", invitee)
	carol.fill("#password", strongPassword)
	carol.fill("#password_confirm", strongPassword)
	if st := carol.click("form button[type=submit]"); st != 400 {
		t.Fatalf("wrong account ID on the invitation: status %d, want 400", st)
	}
	if carol.text("#setpw-error") == "" {
		t.Fatal("wrong account ID on the invitation: no message")
	}
	carol.snap("invitation-mismatch")
	carol.fill("#account_id", w.AccountID)
	carol.fill("#password", "motdepasse")
	carol.fill("#password_confirm", "motdepasse")
	carol.click("form button[type=submit]")
	carol.snap("invitation-weak")

	// A login account without members:manage is told it may not manage.
	bobTab := newTab("bob")
	bobTab.open(w.URL + "/login?tab=member")
	bobTab.fill("#account_id", w.AccountID)
	bobTab.fill("#email", bob.Email)
	bobTab.fill("#password", strongPassword)
	bobTab.click("form[action='/login'] button[type=submit]")
	if got := bobTab.text("#account-products"); !strings.Contains(got, "Panneau Serveurs") || strings.Contains(got, "Messagerie") {
		t.Fatalf("bob's products: %q, want the server panel only", got)
	}
	bobTab.snap("account-login-account")
	bobTab.page(w.URL+"/console/members", "error-forbidden", 403)
}

// consent shows the consent page of a third-party application to the
// signed-in owner, who allows it (or denies it), and checks what the
// application receives.
func consent(t *testing.T, w world, owner *tab, allow bool) {
	t.Helper()
	app := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Write([]byte(`<!doctype html><html lang="en"><title>Partner</title><h1>Partner callback</h1>`))
	}))
	t.Cleanup(app.Close)
	secret, err := sqlstore.NewClientSecret()
	if err != nil {
		t.Fatal(err)
	}
	err = w.Clients.CreateClient(context.Background(), &sqlstore.Client{
		ID: "partner", Name: "Outil Partenaire", RedirectURIs: []string{app.URL + "/callback"},
		GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid", "profile", "email"},
	}, secret)
	if err != nil {
		t.Fatal(err)
	}
	rp := w.NewRP(t, "partner", secret, app.URL+"/callback", "openid", "profile", "email")
	flow := rp.Start()
	owner.page(flow.URL, "consent", 200)
	if got := owner.text("main"); !strings.Contains(got, "Outil Partenaire") {
		t.Fatalf("the consent page does not name the application:\n%s", got)
	}
	button := "button[name=decision][value=deny]"
	if allow {
		button = "button[name=decision][value=allow]"
	}
	owner.click(button)
	u := owner.url()
	if !strings.HasPrefix(u.String(), app.URL+"/callback") || u.Query().Get("state") != flow.State {
		t.Fatalf("after the consent page: %s", u)
	}
	if !allow {
		if e := u.Query().Get("error"); e != "access_denied" {
			t.Fatalf("denied consent: error %q, want access_denied", e)
		}
		return
	}
	tok, err := rp.Exchange(flow, u.Query().Get("code"))
	if err != nil {
		t.Fatalf("exchange the code after consent: %v", err)
	}
	if claims := rp.VerifyID(flow, tok); claims["email"] != ownerEmail {
		t.Fatalf("ID token claims %v", claims)
	}
}

package browser_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestSecondFactor enrols an authenticator app in French from
// /account/security (QR code drawn by Sésame, URI as text), then signs in
// again with the second step; every page passes the page checks.
func TestSecondFactor(t *testing.T) {
	w := start(t)
	b := startBrowser(t, w.URL)
	code := func(uri string, at time.Time) string { return sesametest.TOTPCode(t, uri, at) }

	tb := b.newTab("mfa-enrol", "fr")
	w.signInOwner(tb)
	tb.page(w.URL+"/account/security", "security-enrol", 200)
	if got := tb.text("h1"); got != "Double authentification" {
		t.Fatalf("title %q", got)
	}
	if !eval[bool](tb, `(() => { const i = document.querySelector("img[src^='data:image/png;base64,']"); return !!i && i.complete && i.naturalWidth > 100; })()`) {
		t.Fatal("no QR code drawn on the page")
	}
	uri := tb.text("#otpauth-uri")
	if !regexp.MustCompile(`^otpauth://totp/.+\?.*secret=[A-Z2-7]+`).MatchString(uri) {
		t.Fatalf("URI %q", uri)
	}
	tb.fill("#code", "000000")
	if st := tb.click("form:has(#code) button[type=submit]"); st != 400 && code(uri, time.Now()) != "000000" {
		t.Fatalf("wrong code: %d", st)
	}
	if tb.text("#code-error[role=alert]") == "" {
		t.Error("the wrong code is not announced")
	}
	tb.fill("#code", code(uri, time.Now()))
	if st := tb.click("form:has(#code) button[type=submit]"); st != 200 {
		t.Fatalf("confirm: %d", st)
	}
	tb.snap("recovery-codes")
	if n := eval[int](tb, `document.querySelectorAll("#recovery-codes code").length`); n != 10 {
		t.Fatalf("%d recovery codes shown", n)
	}

	again := b.newTab("mfa-second-step", "fr")
	again.open(w.URL + "/login")
	again.fill("#email", ownerEmail)
	again.fill("#password", ownerPassword)
	if st := again.click("form[action='/login'] button[type=submit]"); st != 200 || again.text("h1") != "Vérification en deux étapes" {
		t.Fatalf("second step: %d %q", st, again.text("h1"))
	}
	again.snap("second-step")
	again.fill("#code", "999999")
	if st := again.click("form button[type=submit]"); st != 401 || again.text("#code-error[role=alert]") != "Code incorrect ou déjà utilisé." {
		t.Fatalf("wrong code: %d", st)
	}
	again.fill("#code", code(uri, time.Now().Add(30*time.Second)))
	if st := again.click("form button[type=submit]"); st != 200 || again.url().Path != "/account" {
		t.Fatalf("second step passed: %d %s", st, again.url())
	}
}

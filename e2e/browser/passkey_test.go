package browser_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/sesame-idp/sesame/sesametest"
)

// virtualAuthenticator gives the tab a platform authenticator that holds
// passkeys and verifies the person at once (the DevTools WebAuthn domain).
func (tb *tab) virtualAuthenticator(synced bool) webauthn.AuthenticatorID {
	tb.t.Helper()
	var id webauthn.AuthenticatorID
	tb.call(func(ctx context.Context) error {
		if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		r, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
				HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
				DefaultBackupEligibility: synced, DefaultBackupState: synced,
			},
		})
		if err != nil {
			return err
		}
		id = r.AuthenticatorID
		return nil
	})
	return id
}

// credentials returns how many passkeys the tab's authenticator holds.
func (tb *tab) credentials(id webauthn.AuthenticatorID) int {
	tb.t.Helper()
	var n int
	tb.call(func(ctx context.Context) error {
		r, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
		if err == nil {
			n = len(r.Credentials)
		}
		return err
	})
	return n
}

// TestPasskeyInBrowser registers a passkey from the security page with
// Chromium's virtual authenticator, then signs in with it as the second
// step, in French and in English.
func TestPasskeyInBrowser(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := startWith(t, sesametest.Options{Localhost: true})
			b := startBrowser(t, w.URL)
			tb := b.newTab("passkey-"+lang, lang)
			auth := tb.virtualAuthenticator(lang == "en")
			w.signInOwner(tb)
			tb.page(w.URL+"/account/security", "security-passkeys", 200)
			if !eval[bool](tb, `!document.querySelector("#passkey-register").hidden`) {
				t.Fatal("the passkey form stays hidden with JavaScript and WebAuthn")
			}
			tb.fill("#passkey-name", "Ordinateur portable")
			if st := tb.click("#passkey-register button[type=submit]"); st != 200 {
				t.Fatalf("register: %d at %s", st, tb.url())
			}
			codes := eval[[]string](tb, `Array.from(document.querySelectorAll("#recovery-codes code"), c => c.textContent)`)
			if len(codes) != 10 {
				t.Fatalf("%d recovery codes after the first passkey", len(codes))
			}
			if n := tb.credentials(auth); n != 1 {
				t.Fatalf("the authenticator holds %d passkeys", n)
			}
			tb.page(w.URL+"/account/security", "security-passkey-listed", 200)
			if got := tb.text("#passkey-list"); !strings.Contains(got, "Ordinateur portable") {
				t.Fatalf("passkey list %q", got)
			}

			tb.open(w.URL + "/account")
			tb.click("form[action='/logout'] button[type=submit]")
			tb.open(w.URL + "/login")
			tb.fill("#email", ownerEmail)
			tb.fill("#password", ownerPassword)
			if st := tb.click("form[action='/login'] button[type=submit]"); st != 200 || !eval[bool](tb, `!!document.querySelector("#passkey-signin:not([hidden])")`) {
				t.Fatalf("second step with a passkey: %d at %s", st, tb.url())
			}
			tb.snap("second-step-passkey")
			if st := tb.click("#passkey-signin button[type=submit]"); st != 200 || tb.url().Path != "/account" {
				t.Fatalf("sign-in with the passkey: %d at %s", st, tb.url())
			}
			tb.phone()
			tb.page(w.URL+"/account/security", "security-passkey-used", 200)
			if got := tb.text("#passkey-list"); strings.Contains(got, "jamais utilisée") || strings.Contains(got, "never used") {
				t.Fatalf("the passkey's use is not shown: %q", got)
			}

			// Without JavaScript the passkey button stays hidden and the
			// code field still signs in (here with a recovery code).
			nojs := b.newTab("passkey-nojs-"+lang, lang)
			nojs.withoutJavaScript()
			nojs.open(w.URL + "/login")
			nojs.fill("#email", ownerEmail)
			nojs.fill("#password", ownerPassword)
			if st := nojs.click("form[action='/login'] button[type=submit]"); st != 200 {
				t.Fatalf("no-JS second step: %d", st)
			}
			if eval[bool](nojs, `!document.querySelector("#passkey-signin").hidden`) {
				t.Fatal("the passkey button shows without JavaScript")
			}
			if nojs.text("#passkey-nojs") == "" {
				t.Error("nothing says the passkey needs JavaScript")
			}
			nojs.snap("second-step-passkey-nojs")
			nojs.fill("#code", codes[0])
			if st := nojs.click("form:has(#code) button[type=submit]"); st != 200 || nojs.url().Path != "/account" {
				t.Fatalf("recovery code without JavaScript: %d at %s", st, nojs.url())
			}
		})
	}
}

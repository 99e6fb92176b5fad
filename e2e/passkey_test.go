package e2e_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/internal/testpasskey"
	"github.com/sesame-idp/sesame/sesametest"
)

var passkeyOptions = regexp.MustCompile(`data-passkey="(create|get)" data-options="([^"]*)"`)

// passkeyForm returns the WebAuthn options the page p hands to the
// browser for a ceremony of kind "create" or "get".
func passkeyForm(t *testing.T, p sesametest.Page, kind string) string {
	t.Helper()
	for _, m := range passkeyOptions.FindAllStringSubmatch(p.Body, -1) {
		if m[1] == kind {
			return html.UnescapeString(m[2])
		}
	}
	t.Fatalf("no passkey %s ceremony on %s (%d):\n%s", kind, p.URL, p.Status, p.Body)
	return ""
}

// eachOnLocalhost is sesametest.Each with Sésame at http://localhost:
// passkeys need a domain name.
func eachOnLocalhost(t *testing.T, fn func(t *testing.T, s *sesametest.Instance)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sesametest.Start(t, sesametest.Options{Localhost: true})) })
	t.Run("postgres", func(t *testing.T) {
		fn(t, sesametest.Start(t, sesametest.Options{Localhost: true, Postgres: true}))
	})
}

// TestPasskey: an owner registers a passkey from the security page, then
// signs a product in with it as the second step; the ID token says how.
// A replayed answer, a forged one and a removed passkey open nothing.
func TestPasskey(t *testing.T) {
	eachOnLocalhost(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		b := s.NewBrowser(t)
		if p := b.Submit(b.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}}); p.URL.Path != "/account" {
			t.Fatalf("sign-in: %s", p.URL)
		}
		// A session opened with the password alone before the passkey, as
		// by someone who learnt the password, will not be able to remove it.
		early := s.NewBrowser(t)
		early.Submit(early.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
		key := testpasskey.New(s.URL)
		page := b.Get("/account/security")
		answer, err := key.Create(passkeyForm(t, page, "create"))
		if err != nil {
			t.Fatal(err)
		}
		if bad := b.Submit(page, "state", url.Values{"name": {""}, "credential": {answer}}); bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, `id="passkey-error"`) {
			t.Fatalf("a passkey without a name: %d", bad.Status)
		}
		done := b.Submit(page, "state", url.Values{"name": {"Clé USB bleue"}, "credential": {answer}})
		if codes := recoveryPattern.FindAllStringSubmatch(done.Body, -1); done.Status != http.StatusOK || len(codes) != 10 {
			t.Fatalf("first passkey: %d, %d recovery codes", done.Status, len(codes))
		}
		if again := b.Submit(page, "state", url.Values{"name": {"Encore"}, "credential": {answer}}); again.Status != http.StatusBadRequest {
			t.Fatalf("the same answer registered twice: %d", again.Status)
		}
		page = b.Get("/account/security")
		if !strings.Contains(page.Body, "Clé USB bleue") || !strings.Contains(page.Body, "jamais utilisée") {
			t.Fatal("the security page does not list the passkey")
		}

		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		signIn := func() (*sesametest.Browser, sesametest.Flow, sesametest.Page) {
			nb := s.NewBrowser(t)
			flow := rp.Start()
			p := nb.SignIn(flow.URL, ownerEmail, ownerPassword, "")
			if p.Location != "" || !strings.Contains(p.Body, `data-passkey="get"`) {
				t.Fatalf("no passkey at the second step: %d %s", p.Status, p.URL)
			}
			if !strings.Contains(html.UnescapeString(p.Body), "Utilisez votre clé d'accès, ou") {
				t.Fatal("the second step of a person with only passkeys speaks of an app")
			}
			return nb, flow, p
		}
		nb, flow, p := signIn()
		answer, err = key.Get(passkeyForm(t, p, "get"))
		if err != nil {
			t.Fatal(err)
		}
		forged := strings.Replace(answer, `"signature":"`, `"signature":"AAAA`, 1)
		if r := nb.Submit(p, "state", url.Values{"credential": {forged}}); r.Status != http.StatusUnauthorized || nb.Get("/account").URL.Path != "/login" {
			t.Fatalf("forged signature: %d", r.Status)
		}
		r := nb.Submit(p, "state", url.Values{"credential": {answer}})
		if r.Location == "" {
			t.Fatalf("passkey second step: %d %s", r.Status, r.URL)
		}
		tok, err := rp.Exchange(flow, rp.Callback(flow, r.Location))
		if err != nil {
			t.Fatal(err)
		}
		claims := rp.VerifyID(flow, tok)
		if amr, _ := claims["amr"].([]any); !slices.Equal(amr, []any{"pwd", "hwk", "mfa"}) || claims["acr"] != "urn:sesame:mfa" {
			t.Fatalf("amr %v acr %v", claims["amr"], claims["acr"])
		}
		other, _, op := signIn()
		if r := other.Submit(op, "state", url.Values{"credential": {answer}, "state": {formValue(t, p, "state")}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("replayed answer: %d", r.Status)
		}

		// Removed, the passkey opens nothing; the page says it is gone.
		page = b.Get("/account/security")
		id := regexp.MustCompile(`name="id" value="(pk_[a-z2-7]+)"`).FindStringSubmatch(page.Body)
		if id == nil {
			t.Fatal("no removal form")
		}
		if r := early.SubmitAction(early.Get("/account/security"), "/account/security/passkeys/remove", url.Values{"id": {id[1]}}); r.Status != http.StatusForbidden || !strings.Contains(r.Body, `id="security-error"`) {
			t.Fatalf("a password-only session removed a passkey: %d", r.Status)
		}
		ep := early.Get("/account/security")
		thief, err := testpasskey.New(s.URL).Create(passkeyForm(t, ep, "create"))
		if err != nil {
			t.Fatal(err)
		}
		if r := early.Submit(ep, "state", url.Values{"name": {"Pirate"}, "credential": {thief}}); r.Status != http.StatusForbidden {
			t.Fatalf("a password-only session added a passkey beside the person's: %d", r.Status)
		}
		if r := early.SubmitAction(ep, "/account/security/recovery-codes", nil); r.Status != http.StatusForbidden {
			t.Fatalf("a password-only session renewed the recovery codes: %d", r.Status)
		}
		if r := b.SubmitAction(page, "/account/security/passkeys/rename", url.Values{"id": {id[1]}, "name": {"Clé de secours"}}); r.Status != http.StatusOK || !strings.Contains(r.Body, "Clé de secours") {
			t.Fatalf("rename: %d", r.Status)
		}
		if r := b.SubmitAction(page, "/account/security/passkeys/remove", url.Values{"id": {id[1]}}); r.Status != http.StatusOK || !strings.Contains(html.UnescapeString(r.Body), "Clé d'accès supprimée.") {
			t.Fatalf("remove: %d", r.Status)
		}
		flow = rp.Start()
		if p := s.NewBrowser(t).SignIn(flow.URL, ownerEmail, ownerPassword, ""); p.Location == "" {
			t.Fatalf("a second step without a second factor left: %d", p.Status)
		}
	})
}

// formValue returns the value of the field name of the form holding it on p.
func formValue(t *testing.T, p sesametest.Page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no field %s on %s", name, p.URL)
	}
	return html.UnescapeString(m[1])
}

// TestPasskeyEnrolAtSignIn: under the owner's policy, a login account
// without a second factor registers a passkey on its way to the product;
// the token says it signed in with one.
func TestPasskeyEnrolAtSignIn(t *testing.T) {
	eachOnLocalhost(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		const email, pw = "tech@example.cm", "Technicien#2026"
		addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
		if err := s.Accounts.SetRequireMFA(t.Context(), w.AccountID, true, w.OwnerID, ownerEmail, ""); err != nil {
			t.Fatal(err)
		}
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		b := s.NewBrowser(t)
		flow := rp.Start()
		p := b.SignIn(flow.URL, email, pw, w.AccountID)
		if p.Location != "" || !strings.Contains(p.Body, "exige une double authentification") {
			t.Fatalf("no enrolment at sign-in: %d", p.Status)
		}
		key := testpasskey.New(s.URL)
		key.Synced = true
		answer, err := key.Create(passkeyForm(t, p, "create"))
		if err != nil {
			t.Fatal(err)
		}
		done := b.Submit(p, "state", url.Values{"name": {"Téléphone"}, "credential": {answer}})
		next := regexp.MustCompile(`href="(/oauth2/auth/resume[^"]+)"`).FindStringSubmatch(done.Body)
		if len(recoveryPattern.FindAllStringSubmatch(done.Body, -1)) != 10 || next == nil {
			t.Fatalf("after the passkey: %d", done.Status)
		}
		r := b.Get(html.UnescapeString(next[1]))
		tok, err := rp.Exchange(flow, rp.Callback(flow, r.Location))
		if err != nil {
			t.Fatal(err)
		}
		if amr, _ := rp.VerifyID(flow, tok)["amr"].([]any); !slices.Equal(amr, []any{"pwd", "swk", "mfa"}) {
			t.Fatalf("amr %v", amr)
		}
		// The login page remembers the tab and the account ID, as after a
		// sign-in without a second step.
		login, _ := url.Parse(s.URL + "/login")
		remembered := ""
		for _, ck := range b.Client.Jar.Cookies(login) {
			if ck.Name == "sesame_login" {
				remembered = ck.Value
			}
		}
		if remembered != "member."+w.AccountID {
			t.Errorf("login memory after the second step: %q", remembered)
		}
	})
}

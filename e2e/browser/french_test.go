package browser_test

import (
	"net/url"
	"testing"
)

// TestPagesSpeakTheirLanguage visits the pages whose text once came from
// Go errors, the OAuth library or raw records: a refused invitation, the
// explain tool's reasons, an OAuth error without a valid redirect, the
// activity log. Every page is scanned as it loads (languageProblems): a
// word of the other language fails the test.
func TestPagesSpeakTheirLanguage(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		tech := w.addLoginAccount(t, "tech@example.cm", "domain:dns")
		q := url.Values{"client_id": {"no-such-app"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {"https://app.example/cb"}, "state": {"s1234567"}}
		if st := tb.open(w.URL + "/oauth2/auth?" + q.Encode()); st != 400 {
			t.Fatalf("authorize with an unknown client: status %d, want 400", st)
		}
		tb.snap("error-authorize")

		w.signInOwner(tb)
		tb.open(w.URL + "/console/members")
		for _, typed := range []struct{ email, narrowed string }{
			{"x@example.cm", "domain:dns:%%%"},
			{"x@example.cm", "nope:read"},
			{"not-an-email", ""},
		} {
			tb.fill("#invite-email", typed.email)
			tb.fill("#invite-narrowed", typed.narrowed)
			if st := tb.click("form[action='/console/invitations'] button[type=submit]"); st != 400 {
				t.Fatalf("refused invitation %v: status %d, want 400", typed, st)
			}
		}
		tb.snap("console-refused-right")
		tb.open(w.URL + "/console/audit")
		tb.open(w.URL + "/oauth2/logout")
		tb.click("form[action='/logout'] button[type=submit]")

		w.signInAdmin(tb)
		for _, right := range []string{"domain:dns", "billing:pay"} {
			for _, res := range []string{"", "example.cm"} {
				tb.open(w.URL + "/admin/explain?" + url.Values{"account_id": {w.AccountID}, "sub": {tech.Email}, "right": {right}, "resource": {res}}.Encode())
			}
		}
		tb.open(w.URL + "/admin/explain?" + url.Values{"account_id": {w.AccountID}, "sub": {ownerEmail}, "right": {"billing:pay"}}.Encode())
		tb.snap("admin-explain")
		tb.open(w.URL + "/admin/explain?" + url.Values{"account_id": {w.AccountID}, "sub": {"nobody@example.cm"}, "right": {"billing:pay"}}.Encode())
		tb.open(w.URL + "/admin/accounts/" + w.AccountID)
		tb.fill("#grant-subject", tech.Email)
		tb.fill("#grant-object", "pas un domaine")
		tb.click("form input[name=ptype][value=p] ~ button[type=submit]")
		tb.fill("#grant-expires", "hier")
		tb.click("form input[name=ptype][value=p] ~ button[type=submit]")
		tb.open(w.URL + "/admin")
	})
}

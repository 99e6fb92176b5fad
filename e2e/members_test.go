package e2e_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

const strongPassword = "Cheval-Agrafe-42!"

// TestInvitationJourney is the seed journey: the owner invites from the
// console, the email arrives over SMTP, the invitee sets a password on the
// link's page and signs in with email + password + account ID, holding
// exactly the rights ticked.
func TestInvitationJourney(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		owner := s.NewBrowser(t)
		p := owner.Get("/login")
		p = owner.Submit(p, "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
		if p.URL.Path != "/account" {
			t.Fatalf("owner sign-in landed on %s (%d)", p.URL, p.Status)
		}
		p = owner.Get("/console/members")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Ajouter un compte de connexion") {
			t.Fatalf("console: %d\n%s", p.Status, p.Body)
		}
		// An invalid email is refused next to its field; nothing is sent.
		bad := owner.SubmitAction(p, "/console/invitations", url.Values{"email": {"not-an-email"}, "rights": {"domain:read"}})
		if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, `aria-invalid="true"`) {
			t.Fatalf("invalid email: %d", bad.Status)
		}
		p = owner.SubmitAction(p, "/console/invitations", url.Values{"email": {"Alice@Example.cm"}, "rights": {"domain:read", "server:read"}})
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "alice@example.cm") {
			t.Fatalf("invite: %d\n%s", p.Status, p.Body)
		}
		link := invitationLink(t, w, "alice@example.cm", w.AccountID)

		alice := s.NewBrowser(t)
		form := alice.Get(link)
		if form.Status != http.StatusOK || !strings.Contains(form.Body, `name="password_confirm"`) {
			t.Fatalf("set-password page: %d", form.Status)
		}
		tries := []struct {
			name, accountID, email, pw, confirm, want string
		}{
			{"weak", w.AccountID, "alice@example.cm", "password", "password", "au moins 8"},
			{"common", w.AccountID, "alice@example.cm", "Password1!", "Password1!", "trop courant"},
			{"mismatch", w.AccountID, "alice@example.cm", strongPassword, strongPassword + "x", "ne sont pas identiques"},
			{"wrong account", "id000001", "alice@example.cm", strongPassword, strongPassword, "ne correspond pas"},
			{"wrong email", w.AccountID, "bob@example.cm", strongPassword, strongPassword, "ne correspond pas"},
		}
		for _, tr := range tries {
			p := alice.Submit(form, "password_confirm", url.Values{"account_id": {tr.accountID}, "email": {tr.email}, "password": {tr.pw}, "password_confirm": {tr.confirm}})
			if p.Status != http.StatusBadRequest || !strings.Contains(strings.ToLower(p.Body), tr.want) {
				t.Fatalf("%s: status %d, want 400 mentioning %q\n%s", tr.name, p.Status, tr.want, errorMessage(p.Body))
			}
		}
		p = alice.Submit(form, "password_confirm", url.Values{"account_id": {strings.ToUpper(w.AccountID)}, "email": {"alice@example.cm"}, "name": {"Alice Martin"}, "password": {strongPassword}, "password_confirm": {strongPassword}})
		if p.URL.Path != "/login" || p.URL.Query().Get("account_id") != w.AccountID || !strings.Contains(p.Body, `value="`+w.AccountID+`"`) {
			t.Fatalf("after set-password: %s (%d)", p.URL, p.Status)
		}
		if again := s.NewBrowser(t).Get(link); again.Status != http.StatusGone {
			t.Fatalf("link reused: %d, want 410", again.Status)
		}

		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		flow := rp.Start()
		p = alice.SignIn(flow.URL, "alice@example.cm", strongPassword, w.AccountID)
		tok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
		if err != nil {
			t.Fatal(err)
		}
		claims := rp.VerifyID(flow, tok)
		if claims["account_id"] != w.AccountID || claims["name"] != "Alice Martin" || !slices.Equal(sorted(toStrings(claims["rights"])), []string{"domain:read", "server:read"}) {
			t.Fatalf("claims = %v", claims)
		}
		at := decodeJWT(t, tok.AccessToken)["claims"].(map[string]any)
		if !slices.Equal(sorted(toStrings(at["rights"])), []string{"domain:read", "server:read"}) {
			t.Fatalf("access token rights = %v", at["rights"])
		}
		// The console lists Alice as active with her last sign-in.
		if p := owner.Get("/console/members"); !strings.Contains(p.Body, "Actif") {
			t.Fatal("console does not show the new login account as active")
		}
	})
}

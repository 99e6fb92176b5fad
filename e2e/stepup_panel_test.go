package e2e_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

var resumeLink = regexp.MustCompile(`href="([^"]*resume[^"]*)"`)

// TestPanelDeleteStepUp runs the real server panel against Sésame: a
// person who signed in with a password and a code deletes a server
// without being asked again; a login account that signed in with a
// password only is sent back to Sésame with acr_values=urn:sesame:mfa and
// max_age, enrols a second factor there, comes back to the confirmation
// page and deletes.
func TestPanelDeleteStepUp(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: builds and runs the demo-product program")
	}
	eachWithClock(t, func(t *testing.T, s *sesametest.Instance, clk *sesametest.Clock) {
		w := seed(t, s)
		servers := s.StartPanel(t, "server", -1)
		serverNames := regexp.MustCompile(`<td><strong>([a-z0-9-]+)</strong></td>`)
		listed := func(b *sesametest.Browser) []string {
			t.Helper()
			p := b.Get(servers.URL + "/servers")
			if p.Status != http.StatusOK {
				t.Fatalf("servers page: %d", p.Status)
			}
			var out []string
			for _, m := range serverNames.FindAllStringSubmatch(p.Body, -1) {
				out = append(out, m[1])
			}
			return out
		}
		// Each browser records the URLs it was redirected to.
		newBrowser := func() (*sesametest.Browser, *[]*url.URL) {
			b := sesametest.NewWebBrowser(t, servers.URL)
			var seen []*url.URL
			b.Client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				seen = append(seen, req.URL)
				if len(via) > 10 {
					return http.ErrUseLastResponse
				}
				return nil
			}
			return b, &seen
		}

		// The owner enrols an authenticator, then signs in to the panel
		// with the password and a code.
		sb := s.NewBrowser(t)
		if p := sb.Submit(sb.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}}); p.URL.Path != "/account" {
			t.Fatalf("sign-in at Sésame: %s", p.URL)
		}
		uri, _, _ := enrolTOTP(t, sb, sb.Get("/account/security"), clk)
		ob, _ := newBrowser()
		p := ob.Submit(ob.Get(servers.URL+"/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
		if !strings.Contains(p.Body, `name="code"`) {
			t.Fatalf("no second step for the owner: %d %s", p.Status, p.URL)
		}
		p = ob.Submit(p, "code", url.Values{"code": {sesametest.TOTPCode(t, uri, clk.Now().Add(30*time.Second))}})
		if !strings.HasPrefix(p.URL.String(), servers.URL) {
			t.Fatalf("back at the panel: %s (%d)", p.URL, p.Status)
		}
		before := listed(ob)
		if len(before) != 3 {
			t.Fatalf("servers %v", before)
		}
		victim := before[len(before)-1]
		p = ob.Get(servers.URL + "/servers/" + victim + "/delete")
		if p.Status != http.StatusOK || !strings.HasPrefix(p.URL.String(), servers.URL+"/servers/"+victim+"/delete") {
			t.Fatalf("the owner with a fresh second factor was not let through: %d %s", p.Status, p.URL)
		}
		if p = ob.SubmitAction(p, "/servers/"+victim+"/delete", nil); p.Status != http.StatusOK || !strings.Contains(p.Body, "Serveur supprimé.") {
			t.Fatalf("deletion by the owner: %d %s", p.Status, p.URL)
		}
		if after := listed(ob); len(after) != 2 || strings.Contains(strings.Join(after, " "), victim) {
			t.Fatalf("servers after the deletion: %v", after)
		}

		// A login account without a second factor, signed in with its
		// password only.
		const email, pw = "admin-serveurs@example.cm", "Serveurs#Admin2026"
		addLoginAccount(t, s, w.AccountID, email, pw, "server:read", "server:manage")
		mb, seen := newBrowser()
		p = mb.Submit(mb.Get(servers.URL+"/login"), "password", url.Values{"email": {email}, "password": {pw}, "account_id": {w.AccountID}, "tab": {"member"}})
		if !strings.HasPrefix(p.URL.String(), servers.URL) {
			t.Fatalf("member back at the panel: %s (%d)", p.URL, p.Status)
		}
		victim = listed(mb)[0]
		if st := mb.Post(servers.URL+"/servers/"+victim+"/delete", nil).Status; st != http.StatusForbidden {
			t.Fatalf("deletion with a password session: %d, want 403", st)
		}
		*seen = nil
		p = mb.Get(servers.URL + "/servers/" + victim + "/delete")
		var auth *url.URL
		for _, u := range *seen {
			if strings.HasPrefix(u.String(), s.URL) && u.Query().Get("client_id") == servers.ClientID {
				auth = u
			}
		}
		if auth == nil || auth.Query().Get("acr_values") != "urn:sesame:mfa" || auth.Query().Get("max_age") != "600" {
			t.Fatalf("not sent to Sésame for the second factor: %v", *seen)
		}
		if !strings.HasPrefix(p.URL.String(), s.URL) || !strings.Contains(p.Body, `name="password"`) {
			t.Fatalf("Sésame did not ask to sign in again: %d %s", p.Status, p.URL)
		}
		p = mb.Submit(p, "password", url.Values{"email": {email}, "password": {pw}, "account_id": {w.AccountID}, "tab": {"member"}})
		_, _, done := enrolTOTP(t, mb, p, clk)
		m := resumeLink.FindStringSubmatch(done.Body)
		if m == nil {
			t.Fatalf("no way back after the enrolment:\n%s", done.Body)
		}
		// The link is on Sésame's page: relative to Sésame.
		p = mb.Get(done.URL.ResolveReference(mustURL(html.UnescapeString(m[1]))).String())
		if p.Status != http.StatusOK || !strings.HasPrefix(p.URL.String(), servers.URL+"/servers/"+victim+"/delete") {
			t.Fatalf("not back at the confirmation page: %d %s\n%s", p.Status, p.URL, p.Body)
		}
		if p = mb.SubmitAction(p, "/servers/"+victim+"/delete", nil); p.Status != http.StatusOK || !strings.Contains(p.Body, "Serveur supprimé.") {
			t.Fatalf("deletion after the second factor: %d %s", p.Status, p.URL)
		}
		if after := listed(mb); strings.Contains(strings.Join(after, " "), victim) {
			t.Fatalf("servers after the deletion: %v", after)
		}
	})
}

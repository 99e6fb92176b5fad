package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

// bclWorld is a seeded instance with the product bcl-panel registered to
// post to a receiver.
func bclWorld(t *testing.T, s *sesametest.Instance) (world, *receiver, *sesametest.RP) {
	w := seed(t, s)
	rcv := newReceiver(t)
	secret := createClient(t, s, &sqlstore.Client{
		ID: bclClient, Name: "Panel", RedirectURIs: []string{bclRedirect}, IsFirstParty: true,
		Scopes:               []string{"openid", "profile", "email", "offline_access"},
		BackchannelLogoutURI: rcv.URL + "/backchannel-logout", EventsURI: rcv.URL + "/events",
	})
	return w, rcv, s.NewRP(t, bclClient, secret, bclRedirect)
}

// TestLogoutOnPasswordReset: a reset signs the person out of every product
// (a logout token with no sid).
func TestLogoutOnPasswordReset(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w, rcv, rp := bclWorld(t, s)
		const email, pw, next = "forgetful@example.cm", "Oublie#Depuis2025", "Retrouve#Enfin2026"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "domain:read")
		bclSignIn(t, s, rp, email, pw, w.AccountID)

		b := s.NewBrowser(t)
		b.Submit(b.Get("/password-reset"), "email", url.Values{"email": {email}, "account_id": {w.AccountID}})
		link := resetLink.FindString(s.Mail.WaitFor(t, email, 10*time.Second).Text)
		if p := b.Submit(b.Get(link), "password_confirm", url.Values{"password": {next}, "password_confirm": {next}}); p.URL.Path != "/login" {
			t.Fatalf("after reset: %s", p.URL)
		}
		rcv.logoutToken(t, s, m.ID, "")
	})
}

// TestGrantExpiryEvent: when a time-limited grant ends, the products hear
// of the new rights once, however many instances scan for expiries.
func TestGrantExpiryEvent(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[pg]
		t.Run(name, func(t *testing.T) {
			s := sesametest.Start(t, sesametest.Options{Postgres: pg})
			if pg {
				// A second instance on the same database scans too.
				sesametest.Start(t, sesametest.Options{DatabaseURL: s.DatabaseURL, Issuer: s.Config.Issuer})
			}
			ctx := context.Background()
			w, rcv, rp := bclWorld(t, s)
			const email, pw = "temp@example.cm", "Temporaire#2026x"
			m := addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
			ends := time.Now().Add(3 * time.Second).Truncate(time.Second)
			if err := s.Rights.SetGrants(ctx, w.AccountID, m.ID, []rbac.Grant{{Right: "server:read"}, {Right: "domain:read", ExpiresAt: &ends}}); err != nil {
				t.Fatal(err)
			}
			bclSignIn(t, s, rp, email, pw, w.AccountID)
			if got := rcv.rightsEvent(t, s, m.ID); !slices.Equal(got, []string{"server:read"}) {
				t.Fatalf("rights after the expiry %v", got)
			}
			// Let every instance scan a few more times.
			time.Sleep(2500 * time.Millisecond)
			list, err := s.Events.Recent(ctx, "", 100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, d := range list {
				if d.Kind == events.KindRights {
					n++
					if !d.EventAt.Equal(ends) {
						t.Fatalf("event at %s, want the expiry %s", d.EventAt, ends)
					}
				}
			}
			if n != 1 {
				t.Fatalf("%d rights events, want 1", n)
			}
		})
	}
}

// TestAdminSessionsAndDeliveries: an admin lists a person's sessions, ends
// one from the page (the product hears of it), and sees the deliveries, in
// French and in English, and through the admin API.
func TestAdminSessionsAndDeliveries(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w, rcv, rp := bclWorld(t, s)
		const email, pw = "tech@example.cm", "Technicien!2026x"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
		ses := bclSignIn(t, s, rp, email, pw, w.AccountID)
		b := adminSignIn(t, s)

		path := "/admin/accounts/" + w.AccountID + "/members/" + m.ID + "/sessions"
		if p := b.Get("/admin/accounts/" + w.AccountID); !strings.Contains(p.Body, `href="`+path+`"`) {
			t.Fatal("the account page has no link to the sessions")
		}
		p := b.Get(path)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Sessions de "+email) || !strings.Contains(p.Body, "<code>"+bclClient+"</code>") {
			t.Fatalf("sessions page: %d\n%s", p.Status, p.Body)
		}
		form, ok := adminForm(t, p, path+"/end", "sid", ses.SID)
		if !ok {
			t.Fatal("no end button for the session")
		}
		p = b.Post(s.URL+path+"/end", form)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Session terminée à Sésame.") || strings.Contains(p.Body, ses.SID) {
			t.Fatalf("after ending: %d", p.Status)
		}
		rcv.logoutToken(t, s, m.ID, ses.SID)
		if p := b.Post(s.URL+path+"/end", adminFreshToken(t, b, form)); p.Status != http.StatusNotFound {
			t.Fatalf("ending it again: %d, want 404", p.Status)
		}

		// The deliveries page, once delivered.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if n, _ := pendingDeliveries(context.Background(), s.Events); n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("delivery still pending")
			}
		}
		p = b.Get("/admin/deliveries")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Envois aux produits") || !strings.Contains(p.Body, "Fin d&#39;une session") || !strings.Contains(p.Body, "Remis") {
			t.Fatalf("deliveries page: %d\n%s", p.Status, p.Body)
		}
		if p = b.Get("/admin/deliveries?state=failed&lang=en"); !strings.Contains(p.Body, "Deliveries to products") || !strings.Contains(p.Body, "No delivery.") {
			t.Fatalf("failed deliveries in English:\n%s", p.Body)
		}

		// The API.
		ses = bclSignIn(t, s, rp, email, pw, w.AccountID)
		status, body := adminAPI(t, s, b, "GET", "/api/v1/admin/accounts/"+w.AccountID+"/members/"+m.ID+"/sessions", "", nil)
		if list, _ := body["sessions"].([]any); status != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["sid"] != ses.SID {
			t.Fatalf("API sessions: %d %v", status, body)
		}
		token := adminCSRF(t, b, "/admin")
		if status, _ := adminAPI(t, s, b, "DELETE", "/api/v1/admin/accounts/"+w.AccountID+"/members/"+m.ID+"/sessions/"+ses.SID, token, nil); status != http.StatusNoContent {
			t.Fatalf("API end session: %d", status)
		}
		rcv.logoutToken(t, s, m.ID, ses.SID)
		status, body = adminAPI(t, s, b, "GET", "/api/v1/admin/deliveries?state=delivered", "", nil)
		if list, _ := body["deliveries"].([]any); status != http.StatusOK || len(list) < 1 || list[0].(map[string]any)["client_id"] != bclClient {
			t.Fatalf("API deliveries: %d %v", status, body)
		}
	})
}

// TestNoSIDWithoutSession: a client-credentials token stands for no
// browser session and carries no sid.
func TestNoSIDWithoutSession(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	cc := clientcredentials.Config{ClientID: w.ClientID, ClientSecret: w.Secret, TokenURL: s.URL + "/oauth2/token", Scopes: []string{"sesame:authz"}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(tok.AccessToken, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil || claims["client_id"] != w.ClientID {
		t.Fatalf("claims %v (%v)", claims, err)
	}
	if _, ok := claims["sid"]; ok {
		t.Fatalf("client-credentials token has a sid: %v", claims)
	}
}

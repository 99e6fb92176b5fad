package e2e_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/app"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestSessionTimeoutLogout: a browser session that goes idle past the
// timeout ends by itself, and the product it signed into receives a
// logout token naming the person and the session within a few seconds,
// once, even with two instances sweeping the same database.
func TestSessionTimeoutLogout(t *testing.T) {
	run := func(t *testing.T, s *sesametest.Instance, clock *sesametest.Clock) {
		w := seed(t, s)
		rcv := newReceiver(t)
		secret := createClient(t, s, &sqlstore.Client{
			ID: bclClient, Name: "Panel", RedirectURIs: []string{bclRedirect}, IsFirstParty: true,
			Scopes:               []string{"openid", "profile", "email", "offline_access"},
			BackchannelLogoutURI: rcv.URL + "/backchannel-logout",
		})
		rp := s.NewRP(t, bclClient, secret, bclRedirect)
		const email, pw = "tech@example.cm", "Technicien!2026x"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
		ses := bclSignIn(t, s, rp, email, pw, w.AccountID)
		if p := ses.Browser.Get("/account/sessions"); p.Status != http.StatusOK || p.URL.Path != "/account/sessions" {
			t.Fatalf("sessions page: %d at %s", p.Status, p.URL)
		}

		clock.Advance(account.DefaultSessionIdle + time.Minute)
		start := time.Now()
		rcv.logoutToken(t, s, m.ID, ses.SID)
		if took := time.Since(start); took > 3*app.SessionSweepInterval {
			t.Fatalf("logout token %v after the timeout, want within %v", took, 3*app.SessionSweepInterval)
		}
		t.Logf("logout token %v after the timeout", time.Since(start))
		if p := ses.Browser.Get("/account/sessions"); p.URL.Path == "/account/sessions" {
			t.Fatalf("timed-out session still open: %d at %s", p.Status, p.URL)
		}
		// Let a few more sweeps pass: still one logout token.
		time.Sleep(2 * app.SessionSweepInterval)
		if list := deliveries(t, s); len(list) != 1 || list[0].SID != ses.SID {
			t.Fatalf("deliveries %+v, want one for session %s", list, ses.SID)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		clock := &sesametest.Clock{}
		run(t, sesametest.Start(t, sesametest.Options{Now: clock.Now}), clock)
	})
	t.Run("postgres", func(t *testing.T) {
		clock := &sesametest.Clock{}
		_, url := dbtest.PostgresURL(t)
		s := sesametest.Start(t, sesametest.Options{DatabaseURL: url, Now: clock.Now})
		// A second instance, behind the same issuer, sweeps the same
		// database (and delivers too).
		sesametest.Start(t, sesametest.Options{DatabaseURL: url, Now: clock.Now, Issuer: s.Config.Issuer})
		run(t, s, clock)
	})
}

package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestMetrics runs a flow through every part that reports (sign-ins good,
// bad and throttled, the code flow, client credentials, checks, mail sent
// and refused, deliveries to products made and failing), then scrapes the
// metrics address and finds each family with the values the flow must
// have produced. The public address does
// not serve them.
func TestMetrics(t *testing.T) {
	for name, pg := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) {
			testMetrics(t, sesametest.Start(t, sesametest.Options{Postgres: pg, MetricsAddr: "127.0.0.1:0"}))
		})
	}
}

func testMetrics(t *testing.T, s *sesametest.Instance) {
	w := seed(t, s)
	ctx := context.Background()
	deliveriesToProducts(t, s, w)

	// The code flow, and a wrong password.
	signInToken(t, w, ownerEmail, ownerPassword, "")
	rp := w.NewRP(t, w.ClientID, w.Secret, panelRedirect)
	if p := s.NewBrowser(t).SignIn(rp.Start().URL, ownerEmail, "Wrong#Password1", ""); p.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d", p.Status)
	}
	// Throttled: past ten attempts on one unknown email.
	throttled := false
	for range 12 {
		p := s.NewBrowser(t).SignIn(rp.Start().URL, "nobody@example.cm", "Wrong#Password1", "")
		throttled = throttled || p.Status == http.StatusTooManyRequests
	}
	if !throttled {
		t.Fatal("no sign-in was throttled")
	}
	// Client credentials and checks, one allowed, one denied.
	cc := clientcredentials.Config{ClientID: w.ClientID, ClientSecret: w.Secret, TokenURL: s.URL + "/oauth2/token", Scopes: []string{"sesame:authz"}}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reader := addLoginAccount(t, s, w.AccountID, "reader@example.cm", "Reader#Pass2026", "domain:read")
	for _, right := range []string{"domain:read", "server:manage"} {
		st, _ := apiCall(t, http.MethodPost, s.URL+"/api/v1/authz/check", tok.AccessToken,
			map[string]string{"sub": reader.ID, "account_id": w.AccountID, "right": right})
		if st != http.StatusOK {
			t.Fatalf("check %s: status %d", right, st)
		}
	}
	// Mail: one delivered, one refused for good.
	s.Mail.RejectRecipient("refused@example.cm")
	for _, to := range []string{"welcome@example.cm", "refused@example.cm"} {
		if _, err := s.Members.Invite(ctx, members.Operator(), members.InviteRequest{AccountID: w.AccountID, Email: to, Grants: []rbac.Grant{{Right: "domain:read"}}}); err != nil {
			t.Fatal(err)
		}
	}
	s.SettleMail(t)

	// Not on the public address.
	if resp, err := http.Get(s.URL + "/metrics"); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("public /metrics: status %d, want 404", resp.StatusCode)
	}

	// A check now: the invitations above may have dropped the account's
	// cached enforcer (a change of rules), and the cache size is read live.
	if st, _ := apiCall(t, http.MethodPost, s.URL+"/api/v1/authz/check", tok.AccessToken,
		map[string]string{"sub": reader.ID, "account_id": w.AccountID, "right": "domain:read"}); st != http.StatusOK {
		t.Fatalf("check before scraping: status %d", st)
	}
	fams := scrape(t, "http://"+s.MetricsAddr()+"/metrics")
	wantAtLeast := []struct {
		family string
		labels map[string]string
		min    float64
	}{
		{"sesame_http_requests_total", map[string]string{"route": "/oauth2/token", "method": "POST", "status": "200"}, 2},
		{"sesame_http_requests_total", map[string]string{"route": "/login", "method": "POST", "status": "429"}, 1},
		{"sesame_http_request_duration_seconds", map[string]string{"route": "/api/v1/authz/check", "method": "POST"}, 2},
		{"sesame_tokens_issued_total", map[string]string{"grant_type": "authorization_code", "client_id": "panel"}, 1},
		{"sesame_tokens_issued_total", map[string]string{"grant_type": "client_credentials", "client_id": "panel"}, 1},
		{"sesame_sign_ins_total", map[string]string{"outcome": "success"}, 1},
		{"sesame_sign_ins_total", map[string]string{"outcome": "invalid"}, 11},
		{"sesame_sign_ins_total", map[string]string{"outcome": "throttled"}, 1},
		{"sesame_throttle_hits_total", map[string]string{"route": "/login"}, 1},
		{"sesame_authz_checks_total", map[string]string{"decision": "allowed"}, 1},
		{"sesame_authz_checks_total", map[string]string{"decision": "denied"}, 1},
		{"sesame_authz_check_duration_seconds", nil, 2},
		{"sesame_outbox_up", map[string]string{"kind": "mail"}, 1},
		{"sesame_outbox_attempts_total", map[string]string{"kind": "mail"}, 2},
		{"sesame_outbox_failures_total", map[string]string{"kind": "mail"}, 1},
		{"sesame_outbox_abandoned", map[string]string{"kind": "mail"}, 1},
		{"sesame_outbox_up", map[string]string{"kind": "events"}, 1},
		{"sesame_outbox_attempts_total", map[string]string{"kind": "events"}, 1},
		{"sesame_outbox_up", map[string]string{"kind": "logout"}, 1},
		{"sesame_outbox_attempts_total", map[string]string{"kind": "logout"}, 1},
		{"sesame_outbox_failures_total", map[string]string{"kind": "logout"}, 1},
		{"sesame_outbox_pending", map[string]string{"kind": "logout"}, 1},
		{"sesame_outbox_failing", map[string]string{"kind": "logout"}, 1},
		{"sesame_outbox_oldest_age_seconds", map[string]string{"kind": "logout"}, 0},
		{"sesame_enforcer_cache_size", nil, 1},
		{"sesame_enforcer_cache_hits_total", nil, 1},
		{"sesame_enforcer_cache_misses_total", nil, 1},
		{"go_sql_open_connections", map[string]string{"db_name": "sesame"}, 1},
		{"sesame_signing_key_age_seconds", map[string]string{"alg": "ES256"}, 0},
		{"sesame_build_info", nil, 1},
	}
	for _, w := range wantAtLeast {
		v, ok := value(fams, w.family, w.labels)
		if !ok {
			t.Errorf("%s%v: absent", w.family, w.labels)
		} else if v < w.min {
			t.Errorf("%s%v = %v, want at least %v", w.family, w.labels, v, w.min)
		}
	}
	for _, name := range []string{"sesame_outbox_pending", "sesame_outbox_oldest_age_seconds", "sesame_outbox_failing"} {
		if v, ok := value(fams, name, map[string]string{"kind": "mail"}); !ok || v != 0 {
			t.Errorf("%s{kind=mail} = %v (present %v), want 0 once mail settled", name, v, ok)
		}
	}
	for _, name := range []string{"sesame_outbox_pending", "sesame_outbox_failing", "sesame_outbox_abandoned", "sesame_outbox_failures_total"} {
		if v, ok := value(fams, name, map[string]string{"kind": "events"}); !ok || v != 0 {
			t.Errorf("%s{kind=events} = %v (present %v), want 0: the event was delivered", name, v, ok)
		}
	}
	if v, ok := value(fams, "sesame_outbox_abandoned", map[string]string{"kind": "logout"}); !ok || v != 0 {
		t.Errorf("sesame_outbox_abandoned{kind=logout} = %v (present %v), want 0: a 503 is retried", v, ok)
	}
	if v, ok := value(fams, "sesame_signing_key_age_seconds", map[string]string{"alg": "ES256"}); !ok || v > time.Hour.Seconds() {
		t.Errorf("signing key age %v: want a fresh key", v)
	}
	if _, ok := value(fams, "sesame_enforcer_last_notification_age_seconds", nil); !ok {
		t.Error("sesame_enforcer_last_notification_age_seconds: absent")
	}
	if _, ok := value(fams, "sesame_sign_ins_total", map[string]string{"outcome": "second_factor"}); !ok {
		t.Error("sesame_sign_ins_total{outcome=second_factor}: absent")
	}
	// No raw path, no email, no subject in any label.
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				v := l.GetValue()
				if strings.Contains(v, "@") || strings.Contains(v, w.OwnerID) || strings.Contains(v, reader.ID) || strings.Contains(v, w.AccountID) {
					t.Errorf("%s: label %s=%q holds personal data", f.GetName(), l.GetName(), v)
				}
			}
		}
	}
}

// deliveriesToProducts makes a product hear of a rights change (delivered)
// and of a logout it refuses for now (503, left pending and failing).
func deliveriesToProducts(t *testing.T, s *sesametest.Instance, w world) {
	t.Helper()
	ctx := context.Background()
	rcv := newReceiver(t)
	secret := createClient(t, s, &sqlstore.Client{
		ID: bclClient, Name: "Panel", RedirectURIs: []string{bclRedirect}, IsFirstParty: true,
		Scopes:               []string{"openid", "profile", "email", "offline_access"},
		BackchannelLogoutURI: rcv.URL + "/backchannel-logout", EventsURI: rcv.URL + "/events",
	})
	const email, pw = "product@example.cm", "Produit#Pass2026"
	m := addLoginAccount(t, s, w.AccountID, email, pw, "domain:read")
	ses := bclSignIn(t, s, s.NewRP(t, bclClient, secret, bclRedirect), email, pw, w.AccountID)
	if err := s.Rights.AddRule(ctx, rbac.Actor{Email: "admin@sesame.test"}, w.AccountID, rbac.Rule{PType: "p", Subject: m.ID, Object: "*", Action: "server:read"}); err != nil {
		t.Fatal(err)
	}
	rcv.rightsEvent(t, s, m.ID)
	rcv.status.Store(http.StatusServiceUnavailable)
	ses.Browser.Get("/logout?id_token_hint=" + url.QueryEscape(ses.IDToken))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		list, err := s.Events.Recent(ctx, events.StatePending, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && list[0].Kind == events.KindLogout && list[0].LastStatus == http.StatusServiceUnavailable {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempt of the logout token: %+v", list)
		}
	}
}

// scrape reads a Prometheus text exposition.
func scrape(t *testing.T, u string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return fams
}

// value returns the value of the first series of family whose labels
// include labels: a counter's or gauge's value, a histogram's count.
func value(fams map[string]*dto.MetricFamily, family string, labels map[string]string) (float64, bool) {
	f, ok := fams[family]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
		panic(fmt.Sprintf("%s: unexpected type", family))
	}
	return 0, false
}

package e2e_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/sesametest"
)

// pendingDeliveries counts the deliveries of every kind still to be made.
func pendingDeliveries(ctx context.Context, s *events.Service) (int, error) {
	n := 0
	for _, kind := range []events.Kind{events.KindLogout, events.KindRights} {
		b, err := s.Backlog(ctx, kind)
		if err != nil {
			return 0, err
		}
		n += b.Pending
	}
	return n, nil
}

// deliveries waits until no delivery is pending and returns them all.
func deliveries(t *testing.T, s *sesametest.Instance) []events.Delivery {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		n, err := pendingDeliveries(ctx, s.Events)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending after 10 s", n)
		}
	}
	list, err := s.Events.Recent(ctx, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestAcceptSesameRestart: the owner disables a login account while no
// Sésame delivers (instance B stopped, A's workers stopped: the change
// commits, then Sésame stops). The panels still let the person in, since
// nothing reached them. Sésame starts again at the same address on the
// same database: the logout tokens go out at once, one per panel, each
// recorded once; the same token again (same jti) is refused and changes
// nothing.
func TestAcceptSesameRestart(t *testing.T) {
	st := newStage(t)
	ctx := context.Background()
	m := st.addTech(0, "server:read", "domain:read")
	p := st.signIn(sprintf(techEmail, 0), techPassword)

	st.slots[1].Store(nil)
	st.B.Stop()
	st.A.StopWorkers()
	st.member(m.ID, map[string]any{"status": "disabled"})
	if n, err := pendingDeliveries(ctx, st.A.Events); err != nil || n != 2 {
		t.Fatalf("%d deliveries pending (%v), want 2: one per panel", n, err)
	}
	time.Sleep(time.Second) // more than a poll: nobody delivers
	if s, _ := p.page("GET", st.server.URL+"/servers"); s != http.StatusOK {
		t.Fatalf("server panel before any delivery: %d", s)
	}
	addr := st.A.Addr()
	st.slots[0].Store(nil)
	st.A.Stop()

	start := time.Now()
	a2 := sesametest.Start(t, sesametest.Options{DatabaseURL: st.A.DatabaseURL, Issuer: st.front.URL, Addr: addr})
	st.slots[0].Store(mustURL(a2.URL))
	delay := waitRefused(t, start, 10*time.Second,
		p.signedOut(st.server, "/servers"),
		p.signedOut(st.domain, "/domains"),
		check{name: "server API", do: func() int { return p.api("GET", st.server, "/api/me") }, want: is(http.StatusUnauthorized)},
		check{name: "domain API", do: func() int { return p.api("GET", st.domain, "/api/me") }, want: is(http.StatusUnauthorized)},
	)
	t.Logf("after the restart, both panels refuse after %v (start of the instance included)", delay)

	list := deliveries(t, a2)
	if len(list) != 2 {
		t.Fatalf("%d deliveries, want 2: %+v", len(list), list)
	}
	for _, d := range list {
		if d.State != events.StateDelivered || d.Attempts != 1 || d.Kind != events.KindLogout || d.Subject != m.ID {
			t.Fatalf("delivery %+v, want delivered at the first attempt", d)
		}
	}
	for _, panel := range []*sesametest.Panel{st.server, st.domain} {
		if n := recorded(panel, "subject_ended", m.ID, 1); n != 1 {
			t.Fatalf("%s panel recorded the logout %d times, want once", panel.Product, n)
		}
	}

	// The person is enabled again and signs in anew; the same token
	// delivered again is acknowledged (jti seen: applied already) and
	// leaves the new session.
	st.A = a2
	st.member(m.ID, map[string]any{"status": "active"})
	time.Sleep(time.Until(start.Truncate(time.Second).Add(2 * time.Second)))
	p = st.signIn(sprintf(techEmail, 0), techPassword)
	for _, d := range list {
		panel := st.server
		if d.ClientID == st.domain.ClientID {
			panel = st.domain
		}
		tok, err := a2.OAuth.Keys.SignJWT("ES256", "logout+jwt", map[string]any{
			"iss": st.front.URL, "aud": d.ClientID, "iat": d.EventAt.Unix(), "exp": time.Now().Add(2 * time.Minute).Unix(),
			"jti": d.JTI, "sub": d.Subject, "events": map[string]any{events.EventBackchannelLogout: map[string]any{}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if status, body := postLogout(t, panel, tok); status != http.StatusOK {
			t.Fatalf("%s panel did not acknowledge the same jti again: %d %s", panel.Product, status, body)
		}
		if n := recorded(panel, "subject_ended", m.ID, 1); n != 1 {
			t.Fatalf("%s panel recorded the logout %d times after the repeat, want once", panel.Product, n)
		}
	}
	for _, c := range []check{
		{name: "server session", do: func() int { s, _ := p.page("GET", st.server.URL+"/servers"); return s }, want: is(200)},
		{name: "domain session", do: func() int { s, _ := p.page("GET", st.domain.URL+"/domains"); return s }, want: is(200)},
		{name: "server API", do: func() int { return p.api("GET", st.server, "/api/me") }, want: is(200)},
	} {
		if got := c.do(); !c.want(got) {
			t.Fatalf("%s after the repeated token: %d", c.name, got)
		}
	}
}

// TestAcceptPanelDown: the domain panel is down when the owner disables a
// login account. The server panel refuses the person within a second;
// the domain panel, started again on the same port (same cookie secret,
// an empty revocation store), receives the logout token at Sésame's next
// attempt (5 s after the failed one) and refuses the person from then on.
func TestAcceptPanelDown(t *testing.T) {
	st := newStage(t)
	m := st.addTech(0, "server:read", "domain:read")
	p := st.signIn(sprintf(techEmail, 0), techPassword)

	st.domain.Stop()
	start := time.Now()
	st.member(m.ID, map[string]any{"status": "disabled"})
	waitRefused(t, start, time.Second,
		p.signedOut(st.server, "/servers"),
		check{name: "server API", do: func() int { return p.api("GET", st.server, "/api/me") }, want: is(http.StatusUnauthorized)},
	)
	// The attempt at the domain panel failed (its error is recorded; a row
	// being tried already counts the attempt) and waits.
	var failed time.Time
	for deadline := time.Now().Add(5 * time.Second); failed.IsZero(); time.Sleep(20 * time.Millisecond) {
		list, err := st.A.Events.Recent(context.Background(), events.StatePending, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && list[0].ClientID == st.domain.ClientID && list[0].Attempts == 1 && list[0].LastError != "" && list[0].NextAttemptAt != nil {
			failed = list[0].NextAttemptAt.Add(-5 * time.Second)
			t.Logf("the attempt at the stopped panel failed: %s", list[0].LastError)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempt at the stopped panel: %+v", list)
		}
	}

	st.domain.Restart()
	// Back up, the panel knows nothing yet: the sealed cookie is valid.
	if s, _ := p.page("GET", st.domain.URL+"/domains"); s != http.StatusOK && time.Since(failed) < 4*time.Second {
		t.Fatalf("domain panel after the restart, before the retry: %d", s)
	}
	delay := waitRefused(t, failed, 5*time.Second+2*time.Second,
		p.signedOut(st.domain, "/domains"),
		check{name: "domain API", do: func() int { return p.api("GET", st.domain, "/api/me") }, want: is(http.StatusUnauthorized)},
	)
	t.Logf("the restarted panel refuses %v after the failed attempt (first retry due after 5 s)", delay)
	for _, d := range deliveries(t, st.A) {
		if d.State != events.StateDelivered || (d.ClientID == st.domain.ClientID) != (d.Attempts == 2) {
			t.Fatalf("delivery %+v: want delivered, the domain panel's at the second attempt", d)
		}
	}
	if n := recorded(st.domain, "subject_ended", m.ID, 1); n != 1 {
		t.Fatalf("domain panel recorded the logout %d times, want once", n)
	}
}

// postLogout posts a logout token to panel's receiver.
func postLogout(t *testing.T, panel *sesametest.Panel, token string) (int, string) {
	return send(t, nil, http.MethodPost, panel.URL+"/backchannel-logout", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"logout_token": {token}}.Encode()), nil)
}

// postEvent posts a security event token to panel's receiver.
func postEvent(t *testing.T, panel *sesametest.Panel, token string) (int, string) {
	return send(t, nil, http.MethodPost, panel.URL+"/events", "application/secevent+jwt", strings.NewReader(token), nil)
}

// TestAcceptRefusedTokens: the real server panel acknowledges a replay of
// a logout token and of a security event token Sésame delivered to it
// (captured on the way: Sésame sends one again when it could not record
// its delivery) without applying it again, and refuses (400) tokens
// signed with a key Sésame does not publish, expired ones, ones meant for another panel, of the wrong type
// or with a nonce; and none of them changes anything. A valid token built
// the same way is then accepted, so the refusals are the checks' doing.
func TestAcceptRefusedTokens(t *testing.T) {
	st := newStage(t)
	rec := st.record(st.server)
	m := st.addTech(0, "server:read", "server:operate")
	st.signIn(sprintf(techEmail, 0), techPassword)
	st.member(m.ID, map[string]any{"rights": []string{"server:read"}})
	realSET := rec.wait(t, "/events")
	st.member(m.ID, map[string]any{"status": "disabled"})
	realLogout := rec.wait(t, "/backchannel-logout")
	changed := time.Now()
	st.member(m.ID, map[string]any{"status": "active"})
	time.Sleep(time.Until(changed.Truncate(time.Second).Add(time.Second)))
	p := st.signIn(sprintf(techEmail, 0), techPassword)

	logoutBody, _ := url.ParseQuery(realLogout.body)
	jws, err := jose.ParseSigned(logoutBody.Get("logout_token"), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	kid := jws.Signatures[0].Header.KeyID
	foreign, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signForeign := func(kid, typ string, claims map[string]any) string {
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: foreign, KeyID: kid}},
			(&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(claims)
		obj, err := sig.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := obj.CompactSerialize()
		return raw
	}
	signReal := func(typ string, claims map[string]any) string {
		raw, err := st.A.OAuth.Keys.SignJWT("ES256", typ, claims)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	// Tokens that would sign the person out, or take every right away,
	// were they accepted.
	logoutClaims := func(edit func(map[string]any)) map[string]any {
		now := time.Now()
		c := map[string]any{"iss": st.front.URL, "aud": st.server.ClientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
			"jti": randomJTI(), "sub": m.ID, "events": map[string]any{events.EventBackchannelLogout: map[string]any{}}}
		if edit != nil {
			edit(c)
		}
		return c
	}
	setClaims := func(edit func(map[string]any)) map[string]any {
		now := time.Now()
		c := map[string]any{"iss": st.front.URL, "aud": st.server.ClientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
			"jti": randomJTI(), "sub_id": map[string]any{"format": "opaque", "id": m.ID},
			"events": map[string]any{events.EventTokenClaimsChange: map[string]any{"event_timestamp": now.Unix(), "claims": map[string]any{"rights": []string{}}}}}
		if edit != nil {
			edit(c)
		}
		return c
	}
	expired := func(c map[string]any) {
		c["iat"], c["exp"] = time.Now().Add(-10*time.Minute).Unix(), time.Now().Add(-5*time.Minute).Unix()
	}
	otherPanel := func(c map[string]any) { c["aud"] = st.domain.ClientID }
	withNonce := func(c map[string]any) { c["nonce"] = "n-0S6_WzA2Mj" }

	unchanged := func(what string) {
		t.Helper()
		if s, _ := p.page("GET", st.server.URL+"/servers"); s != http.StatusOK {
			t.Fatalf("after %s: the servers page answers %d, want 200", what, s)
		}
		if s := p.api("GET", st.server, "/api/servers"); s != http.StatusOK {
			t.Fatalf("after %s: the API answers %d, want 200", what, s)
		}
		if a, b := recorded(st.server, "subject_ended", m.ID, 1), recorded(st.server, "claims_changed", m.ID, 1); a != 1 || b != 1 {
			t.Fatalf("after %s: the panel recorded %d logouts and %d rights changes, want the real one of each", what, a, b)
		}
	}
	unchanged("signing in again")
	for _, c := range []struct {
		name  string
		post  func(*testing.T, *sesametest.Panel, string) (int, string)
		token string
		want  []int
	}{
		{"a replayed logout token", postLogout, logoutBody.Get("logout_token"), []int{200}},
		{"a replayed event token", postEvent, realSET.body, []int{202}},
		{"a logout token signed with a foreign key under Sésame's kid", postLogout, signForeign(kid, "logout+jwt", logoutClaims(nil)), []int{400}},
		{"an event token signed with a foreign key under Sésame's kid", postEvent, signForeign(kid, "secevent+jwt", setClaims(nil)), []int{400}},
		// An unknown kid makes the panel fetch Sésame's keys, at most
		// once in a while; in between it answers 503 (a key published a
		// moment ago may be missing) and Sésame would try again.
		{"a logout token signed with a foreign key", postLogout, signForeign("forged-key", "logout+jwt", logoutClaims(nil)), []int{400, 503}},
		{"an event token signed with a foreign key", postEvent, signForeign("forged-key", "secevent+jwt", setClaims(nil)), []int{400, 503}},
		{"an expired logout token", postLogout, signReal("logout+jwt", logoutClaims(expired)), []int{400}},
		{"an expired event token", postEvent, signReal("secevent+jwt", setClaims(expired)), []int{400}},
		{"a logout token for the domain panel", postLogout, signReal("logout+jwt", logoutClaims(otherPanel)), []int{400}},
		{"an event token for the domain panel", postEvent, signReal("secevent+jwt", setClaims(otherPanel)), []int{400}},
		{"a logout token with a nonce", postLogout, signReal("logout+jwt", logoutClaims(withNonce)), []int{400}},
		{"an event token posted as a logout token", postLogout, signReal("secevent+jwt", setClaims(nil)), []int{400}},
		{"an ID-token-typed logout token", postLogout, signReal("JWT", logoutClaims(nil)), []int{400}},
	} {
		status, body := c.post(t, st.server, c.token)
		if !slices.Contains(c.want, status) {
			t.Fatalf("%s: %d %s, want %v", c.name, status, body, c.want)
		}
		unchanged(c.name)
	}

	// The same, valid: accepted and applied.
	if status, body := postEvent(t, st.server, signReal("secevent+jwt", setClaims(nil))); status != http.StatusAccepted {
		t.Fatalf("a valid event token: %d %s", status, body)
	}
	if n := recorded(st.server, "claims_changed", m.ID, 2); n != 2 {
		t.Fatalf("after a valid event token the panel recorded %d rights changes, want 2", n)
	}
	if status, body := postLogout(t, st.server, signReal("logout+jwt", logoutClaims(nil))); status != http.StatusOK {
		t.Fatalf("a valid logout token: %d %s", status, body)
	}
	if s, loc := p.page("GET", st.server.URL+"/servers"); s != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("after a valid logout token: %d %s, want 303 to sign in", s, loc)
	}
}

func randomJTI() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestAcceptLostAcknowledgement: Sésame delivered a rights change but its
// record of the delivery was lost (a crash, or the database gone, between
// the panel's answer and the mark). The token goes out again with the
// same jti; the panel acknowledges it without applying it twice, and the
// delivery ends delivered, not failed.
func TestAcceptLostAcknowledgement(t *testing.T) {
	st := newStage(t)
	rec := st.record(st.server)
	m := st.addTech(0, "server:read", "server:operate")
	st.signIn(sprintf(techEmail, 0), techPassword)
	st.member(m.ID, map[string]any{"rights": []string{"server:read"}})
	rec.wait(t, "/events")
	if n := recorded(st.server, "claims_changed", m.ID, 1); n != 1 {
		t.Fatalf("the panel recorded %d rights changes, want 1", n)
	}
	ctx := context.Background()
	d := st.A.DB
	res, err := d.ExecContext(ctx, d.Rebind(`UPDATE event_deliveries SET delivered_at = NULL, next_attempt_at = ?
		WHERE kind = 'rights' AND subject = ? AND client_id = ?`), time.Now(), m.ID, st.server.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%d deliveries of the change", n)
	}
	st.A.Events.Kick()
	var row struct {
		Delivered sql.NullTime `db:"delivered_at"`
		Failed    sql.NullTime `db:"failed_at"`
		Status    int          `db:"last_status"`
		Attempts  int          `db:"attempts"`
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := d.GetContext(ctx, &row, d.Rebind(`SELECT delivered_at, failed_at, last_status, attempts FROM event_deliveries
			WHERE kind = 'rights' AND subject = ? AND client_id = ?`), m.ID, st.server.ClientID); err != nil {
			t.Fatal(err)
		}
		if row.Delivered.Valid || row.Failed.Valid || time.Now().After(deadline) {
			break
		}
	}
	if !row.Delivered.Valid || row.Failed.Valid || row.Status/100 != 2 || row.Attempts < 2 {
		t.Fatalf("after the second delivery: %+v", row)
	}
	if n := recorded(st.server, "claims_changed", m.ID, 2); n != 1 {
		t.Fatalf("the panel applied the change %d times", n)
	}
}

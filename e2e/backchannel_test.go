package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

const (
	bclClient      = "bcl-panel"
	bclRedirect    = "http://bcl.localhost/callback"
	eventLogout    = "http://schemas.openid.net/event/backchannel-logout"
	eventClaimsChg = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change"
)

// received is one request a product's receiver got.
type received struct {
	Path, ContentType, Accept, Token string
}

// receiver is a product's back-channel: /backchannel-logout and /events.
type receiver struct {
	*httptest.Server
	got    chan received
	status atomic.Int32 // answer when not zero
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{got: make(chan received, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := received{Path: req.URL.Path, ContentType: req.Header.Get("Content-Type"), Accept: req.Header.Get("Accept")}
		if req.URL.Path == "/backchannel-logout" {
			req.ParseForm()
			rec.Token = req.PostForm.Get("logout_token")
		} else {
			b, _ := io.ReadAll(req.Body)
			rec.Token = string(b)
		}
		if st := r.status.Load(); st != 0 {
			w.WriteHeader(int(st))
			return
		}
		r.got <- rec
		if req.URL.Path == "/events" {
			w.WriteHeader(http.StatusAccepted)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

// next waits for the next request to path.
func (r *receiver) next(t *testing.T, path string) received {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case rec := <-r.got:
			if rec.Path == path {
				return rec
			}
			t.Logf("skipped a request to %s", rec.Path)
		case <-deadline:
			t.Fatalf("nothing posted to %s within 10 s", path)
		}
	}
}

// verifySET checks the signature of raw against Sésame's JWKS (go-oidc's
// remote key set) and its typ header, and returns its claims.
func verifyToken(t *testing.T, s *sesametest.Instance, raw, typ string) map[string]any {
	t.Helper()
	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		JWKS string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	payload, err := oidc.NewRemoteKeySet(ctx, meta.JWKS).VerifySignature(ctx, raw)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	if h.ExtraHeaders["typ"] != typ || h.KeyID == "" || h.Algorithm != "ES256" {
		t.Fatalf("header typ=%v kid=%q alg=%s, want typ %s, a kid, ES256", h.ExtraHeaders["typ"], h.KeyID, h.Algorithm, typ)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != s.Config.Issuer || claims["aud"] != bclClient || claims["jti"] == "" || claims["nonce"] != nil {
		t.Fatalf("claims %v: want iss %s, aud %s, a jti, no nonce", claims, s.Config.Issuer, bclClient)
	}
	iat, _ := claims["iat"].(float64)
	exp, _ := claims["exp"].(float64)
	// exp is 120 s after the signing; a logout token's iat is the time of
	// the change, the same second or the one before.
	if exp-iat < 120 || exp-iat > 122 || time.Since(time.Unix(int64(iat), 0)) > time.Minute {
		t.Fatalf("iat %v exp %v: want exp = iat + 120 (a second more when signed in the next second) and a fresh iat", iat, exp)
	}
	return claims
}

// logoutToken waits for a logout token and checks it names sub, and sid
// when not empty (none otherwise).
func (r *receiver) logoutToken(t *testing.T, s *sesametest.Instance, sub, sid string) map[string]any {
	t.Helper()
	rec := r.next(t, "/backchannel-logout")
	if rec.ContentType != "application/x-www-form-urlencoded" {
		t.Fatalf("logout Content-Type %q", rec.ContentType)
	}
	c := verifyToken(t, s, rec.Token, "logout+jwt")
	ev, _ := c["events"].(map[string]any)
	if _, ok := ev[eventLogout]; !ok || len(ev) != 1 {
		t.Fatalf("events %v", c["events"])
	}
	if c["sub"] != sub {
		t.Fatalf("sub %v, want %s", c["sub"], sub)
	}
	if got, _ := c["sid"].(string); got != sid {
		t.Fatalf("sid %q, want %q", got, sid)
	}
	return c
}

// rightsEvent waits for a token-claims-change event about sub and returns
// the rights it carries.
func (r *receiver) rightsEvent(t *testing.T, s *sesametest.Instance, sub string) []string {
	t.Helper()
	rec := r.next(t, "/events")
	if rec.ContentType != "application/secevent+jwt" || rec.Accept != "application/json" {
		t.Fatalf("event Content-Type %q Accept %q", rec.ContentType, rec.Accept)
	}
	c := verifyToken(t, s, rec.Token, "secevent+jwt")
	if id, _ := c["sub_id"].(map[string]any); id["format"] != "opaque" || id["id"] != sub || c["sid"] != nil {
		t.Fatalf("sub_id %v sid %v, want opaque %s and no sid", c["sub_id"], c["sid"], sub)
	}
	ev, _ := c["events"].(map[string]any)
	change, _ := ev[eventClaimsChg].(map[string]any)
	if change == nil || len(ev) != 1 || change["event_timestamp"] == nil {
		t.Fatalf("events %v", c["events"])
	}
	claims, _ := change["claims"].(map[string]any)
	list, ok := claims["rights"].([]any)
	if !ok {
		t.Fatalf("no rights list in %v", change)
	}
	out := []string{}
	for _, r := range list {
		out = append(out, r.(string))
	}
	return out
}

// bclSession is a person signed into the product through a browser.
type bclSession struct {
	Browser *sesametest.Browser
	IDToken string
	SID     string
	Access  string
}

func bclSignIn(t *testing.T, s *sesametest.Instance, rp *sesametest.RP, email, pw, accountID string) bclSession {
	t.Helper()
	b := s.NewBrowser(t)
	flow := rp.Start()
	p := b.SignIn(flow.URL, email, pw, accountID)
	tok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
	if err != nil {
		t.Fatal(err)
	}
	id := rp.VerifyID(flow, tok)
	sid, _ := id["sid"].(string)
	if len(sid) < 22 {
		t.Fatalf("ID token sid %q: want at least 128 bits", sid)
	}
	// The JWT access token carries the same sid.
	parts := strings.Split(tok.AccessToken, ".")
	var at map[string]any
	if b, err := jose.ParseSigned(tok.AccessToken, []jose.SignatureAlgorithm{jose.ES256, jose.RS256}); err != nil || len(parts) != 3 {
		t.Fatalf("access token is no JWT: %v", err)
	} else if err := json.Unmarshal(b.UnsafePayloadWithoutVerification(), &at); err != nil || at["sid"] != sid {
		t.Fatalf("access token sid %v, want %s", at["sid"], sid)
	}
	// So do the ID and access tokens of a refresh.
	r := refresh(t, rp, tok.RefreshToken)
	if r.err != nil {
		t.Fatal(r.err)
	}
	idt, err := rp.Verifier.Verify(context.Background(), r.tok.Extra("id_token").(string))
	var rid map[string]any
	if err != nil || idt.Claims(&rid) != nil || rid["sid"] != sid {
		t.Fatalf("refreshed ID token sid %v (%v), want %s", rid["sid"], err, sid)
	}
	if jws, err := jose.ParseSigned(r.tok.AccessToken, []jose.SignatureAlgorithm{jose.ES256}); err != nil ||
		json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &at) != nil || at["sid"] != sid {
		t.Fatalf("refreshed access token sid %v, want %s", at["sid"], sid)
	}
	return bclSession{Browser: b, IDToken: tok.Extra("id_token").(string), SID: sid, Access: tok.AccessToken}
}

// TestBackchannelLogoutAndEvents: each way a session ends sends the
// product a logout token, and each rights change a token-claims-change
// event with the new rights, signed with a key of Sésame's JWKS.
func TestBackchannelLogoutAndEvents(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		ctx := context.Background()
		w := seed(t, s)
		rcv := newReceiver(t)
		secret := createClient(t, s, &sqlstore.Client{
			ID: bclClient, Name: "Panel", RedirectURIs: []string{bclRedirect}, IsFirstParty: true,
			Scopes:               []string{"openid", "profile", "email", "offline_access"},
			BackchannelLogoutURI: rcv.URL + "/backchannel-logout", EventsURI: rcv.URL + "/events",
		})
		rp := s.NewRP(t, bclClient, secret, bclRedirect)
		const email, pw = "tech@example.cm", "Technicien!2026x"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
		owner := signInToken(t, w, ownerEmail, ownerPassword, "")
		base := s.URL + "/api/v1/accounts/" + w.AccountID + "/members/" + m.ID

		var disco map[string]any
		if err := rp.Provider.Claims(&disco); err != nil || disco["backchannel_logout_supported"] != true || disco["backchannel_logout_session_supported"] != true {
			t.Fatalf("discovery: %v %v", disco, err)
		}

		// RP-initiated logout.
		ses := bclSignIn(t, s, rp, email, pw, w.AccountID)
		ses.Browser.Get("/logout?id_token_hint=" + url.QueryEscape(ses.IDToken))
		rcv.logoutToken(t, s, m.ID, ses.SID)

		// Sign-out at Sésame.
		ses = bclSignIn(t, s, rp, email, pw, w.AccountID)
		p := ses.Browser.Get("/logout")
		ses.Browser.SubmitAction(p, "/logout", nil)
		rcv.logoutToken(t, s, m.ID, ses.SID)

		// An admin ends the session.
		ses = bclSignIn(t, s, rp, email, pw, w.AccountID)
		if err := s.Accounts.EndMemberSession(ctx, m.ID, ses.SID, audit.Event{AccountID: w.AccountID, Action: audit.SessionEnded, Target: email}); err != nil {
			t.Fatal(err)
		}
		rcv.logoutToken(t, s, m.ID, ses.SID)
		if err := s.Accounts.EndMemberSession(ctx, m.ID, ses.SID, audit.Event{}); err == nil {
			t.Fatal("ending an ended session succeeded")
		}

		// A password change ends the person's other sessions.
		ses = bclSignIn(t, s, rp, email, pw, w.AccountID)
		const pw2 = "Technicien!2027y"
		if err := s.Accounts.ChangePassword(ctx, account.PasswordChange{MemberID: m.ID, Current: pw, New: pw2, Confirm: pw2, IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		rcv.logoutToken(t, s, m.ID, ses.SID)

		// Rights changed by the owner: the event carries the full new list.
		ses = bclSignIn(t, s, rp, email, pw2, w.AccountID)
		if status, body := apiCall(t, "PATCH", base, owner, map[string]any{"rights": []string{"server:read", "server:operate"}}); status != http.StatusOK {
			t.Fatalf("set rights: %d %v", status, body)
		}
		if got := rcv.rightsEvent(t, s, m.ID); !slices.Equal(got, []string{"server:read", "server:operate"}) {
			t.Fatalf("rights %v", got)
		}
		// An admin's rule adds a right.
		if err := s.Rights.AddRule(ctx, rbac.Actor{Email: "admin@sesame.test"}, w.AccountID, rbac.Rule{PType: "p", Subject: m.ID, Object: "*", Action: "domain:read"}); err != nil {
			t.Fatal(err)
		}
		if got := rcv.rightsEvent(t, s, m.ID); !slices.Equal(got, []string{"domain:read", "server:read", "server:operate"}) {
			t.Fatalf("rights after the admin's rule %v", got)
		}
		// Every right removed: an empty list.
		if status, _ := apiCall(t, "PATCH", base, owner, map[string]any{"rights": []string{}}); status != http.StatusOK {
			t.Fatal("remove rights failed")
		}
		if got := rcv.rightsEvent(t, s, m.ID); len(got) != 0 {
			t.Fatalf("rights after removal %v, want none", got)
		}

		// Disabled: signed out everywhere, no sid.
		if status, _ := apiCall(t, "PATCH", base, owner, map[string]any{"status": "disabled"}); status != http.StatusOK {
			t.Fatal("disable failed")
		}
		rcv.logoutToken(t, s, m.ID, "")
		if status, _ := apiCall(t, "PATCH", base, owner, map[string]any{"status": "active"}); status != http.StatusOK {
			t.Fatal("enable failed")
		}

		// Deleted: signed out everywhere.
		bclSignIn(t, s, rp, email, pw2, w.AccountID)
		if status, _ := apiCall(t, "DELETE", base, owner, nil); status != http.StatusNoContent {
			t.Fatal("delete failed")
		}
		rcv.logoutToken(t, s, m.ID, "")

		// One delivery per session end or change, each recorded delivered.
		list := deliveries(t, s)
		if len(list) != 9 {
			t.Fatalf("%d deliveries, want 9: %+v", len(list), list)
		}
		for _, d := range list {
			if d.State != "delivered" || d.Attempts != 1 || d.ClientID != bclClient {
				t.Fatalf("delivery %+v", d)
			}
		}
	})
}

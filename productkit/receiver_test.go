package productkit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/productkit/productkittest"
)

func (f *fixture) receiver(t testing.TB, store RevocationStore) *Receiver {
	t.Helper()
	r, err := NewReceiver(ReceiverConfig{Issuer: f.issuer, ClientID: testClient, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// postLogout delivers a logout token as Sésame does.
func postLogout(h http.Handler, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", BackChannelLogoutPath, strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// postEvent delivers a security event token as Sésame does (RFC 8935).
func postEvent(h http.Handler, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", EventsPath, strings.NewReader(token))
	req.Header.Set("Content-Type", "application/secevent+jwt")
	req.Header.Set("Accept", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// unsigned returns a token with alg "none" and no signature.
func unsigned(typ string, claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": typ})
	p, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}

// pushCase is one token that must be refused.
type pushCase struct {
	name  string
	token func(good map[string]any) string
	code  string // expected error code
}

// badPushes are the refusals both receivers share; typ is the receiver's
// token type.
func badPushes(f *fixture, typ string) []pushCase {
	foreign, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sign := func(c map[string]any) string { return f.fake.Sign("", typ, c) }
	now := f.clock.Now()
	return []pushCase{
		{name: "forged signature", code: "invalid_key", token: func(c map[string]any) string {
			return productkittest.SignWith(foreign, "ES256", f.fake.CurrentKID(), typ, c)
		}},
		{name: "unknown key", code: "invalid_key", token: func(c map[string]any) string {
			f.clock.Advance(time.Minute) // the key set may be fetched again
			return productkittest.SignWith(foreign, "ES256", "not-published", typ, c)
		}},
		{name: "alg none", code: "invalid_request", token: func(c map[string]any) string { return unsigned(typ, c) }},
		{name: "alg HS256", code: "invalid_request", token: func(c map[string]any) string {
			return productkittest.SignWith([]byte("0123456789abcdef0123456789abcdef"), "HS256", f.fake.CurrentKID(), typ, c)
		}},
		{name: "wrong typ", code: "invalid_request", token: func(c map[string]any) string { return f.fake.Sign("", "JWT", c) }},
		{name: "no typ", code: "invalid_request", token: func(c map[string]any) string { return f.fake.Sign("", "", c) }},
		{name: "expired", code: "invalid_request", token: func(c map[string]any) string {
			return sign(with(with(c, "iat", now.Add(-10*time.Minute).Unix()), "exp", now.Add(-5*time.Minute).Unix()))
		}},
		{name: "iat in the future", code: "invalid_request", token: func(c map[string]any) string {
			return sign(with(with(c, "iat", now.Add(5*time.Minute).Unix()), "exp", now.Add(7*time.Minute).Unix()))
		}},
		{name: "no iat", code: "invalid_request", token: func(c map[string]any) string { return sign(with(c, "iat", nil)) }},
		{name: "no exp", code: "invalid_request", token: func(c map[string]any) string { return sign(with(c, "exp", nil)) }},
		{name: "wrong audience", code: "invalid_audience", token: func(c map[string]any) string { return sign(with(c, "aud", "email-panel")) }},
		{name: "audience list without us", code: "invalid_audience", token: func(c map[string]any) string {
			return sign(with(c, "aud", []string{"email-panel", "server-panel"}))
		}},
		{name: "wrong issuer", code: "invalid_issuer", token: func(c map[string]any) string { return sign(with(c, "iss", "https://evil.example")) }},
		{name: "nonce present", code: "invalid_request", token: func(c map[string]any) string { return sign(with(c, "nonce", "n-1")) }},
		{name: "no jti", code: "invalid_request", token: func(c map[string]any) string { return sign(with(c, "jti", nil)) }},
		{name: "no events", code: "invalid_request", token: func(c map[string]any) string { return sign(with(c, "events", nil)) }},
		{name: "events not an object", code: "invalid_request", token: func(c map[string]any) string { return sign(with(c, "events", "logout")) }},
		{name: "another event too", code: "invalid_request", token: func(c map[string]any) string {
			ev := map[string]any{"https://schemas.openid.net/secevent/caep/event-type/session-revoked": map[string]any{}}
			for k, v := range c["events"].(map[string]any) {
				ev[k] = v
			}
			return sign(with(c, "events", ev))
		}},
		{name: "not a JWT", code: "invalid_request", token: func(map[string]any) string { return "garbage" }},
		{name: "empty", code: "invalid_request", token: func(map[string]any) string { return "" }},
	}
}

func TestBackChannelLogoutRefusals(t *testing.T) {
	f := newFixture(t)
	store := NewMemoryRevocations(0, f.clock.Now)
	h := f.receiver(t, store).BackChannelLogout()
	good := f.fake.LogoutClaims(testClient, "alice", "sid-a")
	cases := append(badPushes(f, "logout+jwt"),
		pushCase{name: "neither sub nor sid", code: "invalid_request", token: func(c map[string]any) string {
			return f.fake.Sign("", "logout+jwt", with(with(c, "sub", nil), "sid", nil))
		}},
		pushCase{name: "a claims-change token", code: "invalid_request", token: func(map[string]any) string {
			return f.fake.Sign("", "secevent+jwt", f.fake.ClaimsChangeClaims(testClient, "alice", f.clock.Now()))
		}},
		pushCase{name: "a logout token typed as an event", code: "invalid_request", token: func(c map[string]any) string {
			return f.fake.Sign("", "secevent+jwt", c)
		}},
		pushCase{name: "the wrong event", code: "invalid_request", token: func(c map[string]any) string {
			return f.fake.Sign("", "logout+jwt", with(c, "events", map[string]any{ClaimsChangeEvent: map[string]any{}}))
		}},
	)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			w := postLogout(h, tt.token(good))
			var body map[string]string
			json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != http.StatusBadRequest || body["error"] != tt.code || body["error_description"] == "" {
				t.Fatalf("status %d body %s, want 400 %s", w.Code, w.Body, tt.code)
			}
			assertUntouched(t, store)
		})
	}

	// Not a form, two tokens, GET: refused too.
	req := httptest.NewRequest("POST", BackChannelLogoutPath, strings.NewReader(`{"logout_token":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("JSON body: %d", w.Code)
	}
	tok := f.fake.Sign("", "logout+jwt", good)
	req = httptest.NewRequest("POST", BackChannelLogoutPath, strings.NewReader(url.Values{"logout_token": {tok, tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("two tokens: %d", w.Code)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", BackChannelLogoutPath+"?logout_token="+tok, nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", w.Code)
	}
	assertUntouched(t, store)

	// The good token applies once; a token with its jti is acknowledged
	// (it was applied) and changes nothing.
	if w := postLogout(h, tok); w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("good token: %d %s", w.Code, w.Body)
	}
	replay := f.fake.Sign("", "logout+jwt", with(good, "sid", "sid-b"))
	if w := postLogout(h, replay); w.Code != http.StatusOK {
		t.Fatalf("replayed jti: %d %s", w.Code, w.Body)
	}
	if r, _ := store.Lookup(context.Background(), "alice", "sid-b"); !r.SessionEndedAt.IsZero() {
		t.Fatalf("the replay ended sid-b: %+v", r)
	}
	if r, _ := store.Lookup(context.Background(), "alice", "sid-a"); r.SessionEndedAt.IsZero() {
		t.Fatalf("the good token did not end sid-a: %+v", r)
	}
}

// assertUntouched fails when anything about alice or bob was recorded.
func assertUntouched(t *testing.T, store RevocationStore) {
	t.Helper()
	for _, sub := range []string{"alice", "bob"} {
		for _, sid := range []string{"sid-a", "sid-b"} {
			r, err := store.Lookup(context.Background(), sub, sid)
			if err != nil || !r.SessionEndedAt.IsZero() || !r.SubjectEndedAt.IsZero() || !r.ClaimsChangedAt.IsZero() {
				t.Fatalf("store changed: %+v %v", r, err)
			}
		}
	}
}

func TestEventsRefusals(t *testing.T) {
	f := newFixture(t)
	store := NewMemoryRevocations(0, f.clock.Now)
	h := f.receiver(t, store).Events()
	now := f.clock.Now()
	good := f.fake.ClaimsChangeClaims(testClient, "alice", now, "domain:read")
	event := func(c map[string]any, v any) string {
		return f.fake.Sign("", "secevent+jwt", with(c, "events", map[string]any{ClaimsChangeEvent: v}))
	}
	cases := append(badPushes(f, "secevent+jwt"),
		pushCase{name: "a logout token", code: "invalid_request", token: func(map[string]any) string {
			return f.fake.Sign("", "logout+jwt", f.fake.LogoutClaims(testClient, "alice", "sid-a"))
		}},
		pushCase{name: "no sub_id", code: "invalid_request", token: func(c map[string]any) string {
			return f.fake.Sign("", "secevent+jwt", with(c, "sub_id", nil))
		}},
		pushCase{name: "sub_id of another format", code: "invalid_request", token: func(c map[string]any) string {
			return f.fake.Sign("", "secevent+jwt", with(c, "sub_id", map[string]any{"format": "email", "email": "alice@example.cm"}))
		}},
		pushCase{name: "no rights", code: "invalid_request", token: func(c map[string]any) string {
			return event(c, map[string]any{"event_timestamp": now.Unix(), "claims": map[string]any{}})
		}},
		pushCase{name: "no event_timestamp", code: "invalid_request", token: func(c map[string]any) string {
			return event(c, map[string]any{"claims": map[string]any{"rights": []string{}}})
		}},
		pushCase{name: "event_timestamp in the future", code: "invalid_request", token: func(c map[string]any) string {
			return event(c, map[string]any{"event_timestamp": now.Add(time.Hour).Unix(), "claims": map[string]any{"rights": []string{}}})
		}},
	)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			w := postEvent(h, tt.token(good))
			var body map[string]string
			json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != http.StatusBadRequest || body["err"] != tt.code || body["description"] == "" {
				t.Fatalf("status %d body %s, want 400 %s", w.Code, w.Body, tt.code)
			}
			assertUntouched(t, store)
		})
	}
	tok := f.fake.Sign("", "secevent+jwt", good)
	req := httptest.NewRequest("POST", EventsPath, strings.NewReader(tok))
	req.Header.Set("Content-Type", "application/jwt")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("wrong content type: %d", w.Code)
	}
	assertUntouched(t, store)

	if w := postEvent(h, tok); w.Code != http.StatusAccepted {
		t.Fatalf("good token: %d %s", w.Code, w.Body)
	}
	if w := postEvent(h, tok); w.Code != http.StatusAccepted {
		t.Fatalf("replay: %d %s", w.Code, w.Body)
	}
	r, _ := store.Lookup(context.Background(), "alice", "")
	if !r.ClaimsChangedAt.Equal(now.Truncate(time.Second)) || len(r.Rights) != 1 || r.Rights[0] != "domain:read" {
		t.Fatalf("recorded %+v", r)
	}
}

// failingStore fails every call, as a database that is down.
type failingStore struct{ RevocationStore }

func (failingStore) Record(context.Context, Event) error { return context.DeadlineExceeded }
func (failingStore) Lookup(context.Context, string, string) (Revocation, error) {
	return Revocation{}, context.DeadlineExceeded
}

// TestReceiverTemporaryFailure: when the product cannot record the event
// (or reach Sésame's keys), it answers 503 so that Sésame tries again, and
// the jti is not burnt.
func TestReceiverTemporaryFailure(t *testing.T) {
	f := newFixture(t)
	tok := f.fake.Sign("", "logout+jwt", f.fake.LogoutClaims(testClient, "alice", "sid-a"))
	if w := postLogout(f.receiver(t, failingStore{}).BackChannelLogout(), tok); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("store down: %d %s", w.Code, w.Body)
	}
	store := NewMemoryRevocations(0, f.clock.Now)
	if w := postLogout(f.receiver(t, store).BackChannelLogout(), tok); w.Code != http.StatusOK {
		t.Fatalf("delivered again: %d %s", w.Code, w.Body)
	}

	down := newFixture(t)
	down.fake.Server.Close()
	tok = down.fake.Sign("", "logout+jwt", down.fake.LogoutClaims(testClient, "alice", "sid-a"))
	if w := postLogout(down.receiver(t, NewMemoryRevocations(0, nil)).BackChannelLogout(), tok); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("issuer unreachable: %d %s", w.Code, w.Body)
	}
}

// TestReceiverRS256AndAudienceList: Sésame may sign with RS256 and put
// the client in an audience list.
func TestReceiverRS256AndAudienceList(t *testing.T) {
	f := newFixture(t)
	f.fake.Rotate("RS256")
	store := NewMemoryRevocations(0, f.clock.Now)
	h := f.receiver(t, store).BackChannelLogout()
	c := with(f.fake.LogoutClaims(testClient, "alice", ""), "aud", []string{"other", testClient})
	if w := postLogout(h, f.fake.Sign("", "application/logout+jwt", c)); w.Code != http.StatusOK {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	if r, _ := store.Lookup(context.Background(), "alice", ""); r.SubjectEndedAt.IsZero() {
		t.Fatalf("sub not ended: %+v", r)
	}
}

// TestReceiverNewKey: a token signed with a key Sésame published after
// the product last fetched the key set, within the fetch interval, is
// answered 503 (Sésame tries again), then accepted once the key set may be
// fetched again.
func TestReceiverNewKey(t *testing.T) {
	f := newFixture(t)
	store := NewMemoryRevocations(0, f.clock.Now)
	h := f.receiver(t, store).BackChannelLogout()
	if w := postLogout(h, f.fake.Sign("", "logout+jwt", f.fake.LogoutClaims(testClient, "alice", "sid-a"))); w.Code != 200 {
		t.Fatalf("first token: %d", w.Code)
	}
	f.fake.Rotate("ES256")
	tok := f.fake.Sign("", "logout+jwt", f.fake.LogoutClaims(testClient, "bob", "sid-b"))
	if w := postLogout(h, tok); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("new key within the fetch interval: %d %s", w.Code, w.Body)
	}
	f.clock.Advance(11 * time.Second)
	if w := postLogout(h, tok); w.Code != 200 {
		t.Fatalf("new key, delivered again: %d %s", w.Code, w.Body)
	}
}

// BenchmarkBackChannelLogout measures one delivery: parse the form,
// verify the ES256 token and its claims, record the event with its jti.
func BenchmarkBackChannelLogout(b *testing.B) {
	f := newFixture(b)
	r, _ := NewReceiver(ReceiverConfig{Issuer: f.issuer, ClientID: testClient, Store: NewMemoryRevocations(0, f.clock.Now),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := r.BackChannelLogout()
	tokens := make([]string, b.N)
	for i := range tokens {
		tokens[i] = f.fake.Sign("", "logout+jwt", f.fake.LogoutClaims(testClient, "alice", "sid-a"))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if w := postLogout(h, tokens[i]); w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkGuardVerifyWithRevocations is Guard.Verify consulting a memory
// store (compare with BenchmarkGuardVerify).
func BenchmarkGuardVerifyWithRevocations(b *testing.B) {
	f := newFixture(b)
	g, _ := NewGuard(GuardConfig{Issuer: f.issuer, Audience: testClient, Revocations: NewMemoryRevocations(0, f.clock.Now)})
	tok := f.fake.Sign("", "at+jwt", f.accessClaims())
	ctx := context.Background()
	for b.Loop() {
		if _, err := g.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

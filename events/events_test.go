package events_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/internal/testclock"
)

const issuer = "https://sesame.test"

// signer signs with one ES256 key.
type signer struct{ key *ecdsa.PrivateKey }

func (s signer) SignJWT(alg, typ string, claims map[string]any) (string, error) {
	payload, _ := json.Marshal(claims)
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: s.key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		return "", err
	}
	obj, err := sig.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// product is a receiver that counts the tokens it accepts by jti.
type product struct {
	*httptest.Server
	keys   *oidc.StaticKeySet
	status atomic.Int32 // answer when not zero
	mu     sync.Mutex
	seen   map[string]int            // jti → deliveries accepted
	claims map[string]map[string]any // jti → claims
	typ    map[string]string         // jti → typ header
	tried  atomic.Int32
}

func newProduct(t *testing.T, key *ecdsa.PrivateKey) *product {
	p := &product{keys: &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{&key.PublicKey}},
		seen: map[string]int{}, claims: map[string]map[string]any{}, typ: map[string]string{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.tried.Add(1)
		if st := p.status.Load(); st != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(int(st))
			io.WriteString(w, `{"err":"invalid_request","description":"refused by the test"}`)
			return
		}
		raw := r.FormValue("logout_token")
		if r.URL.Path == "/events" {
			b, _ := io.ReadAll(r.Body)
			raw = string(b)
		}
		payload, err := p.keys.VerifySignature(r.Context(), raw)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		jws, _ := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
		c := map[string]any{}
		json.Unmarshal(payload, &c)
		jti := c["jti"].(string)
		p.mu.Lock()
		p.seen[jti]++
		p.claims[jti] = c
		p.typ[jti], _ = jws.Signatures[0].Header.ExtraHeaders["typ"].(string)
		p.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *product) accepted() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.seen {
		out[k] = v
	}
	return out
}

type fixture struct {
	d       *db.DB
	clock   *testclock.Clock
	key     *ecdsa.PrivateKey
	product *product
	rights  []string
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f := &fixture{d: d, clock: testclock.New(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)), key: key, rights: []string{"server:read"}}
	f.product = newProduct(t, key)
	return f
}

// service is one instance's delivery service.
func (f *fixture) service(instance string) *events.Service {
	return events.New(f.d, events.Options{
		Issuer: issuer,
		Signer: signer{f.key},
		Client: func(_ context.Context, id string) (events.Client, error) {
			if id != "panel" {
				return events.Client{}, db.ErrNotFound
			}
			return events.Client{BackchannelLogoutURI: f.product.URL + "/backchannel-logout", EventsURI: f.product.URL + "/events", Alg: "ES256"}, nil
		},
		Audience: func(context.Context, string) ([]string, error) { return []string{"panel", "gone"}, nil },
		Rights:   func(context.Context, string, string) ([]string, error) { return f.rights, nil },
		Now:      f.clock.Now,
		Instance: instance,
		Timeout:  2 * time.Second,
	})
}

func deliverDue(t *testing.T, s *events.Service) int {
	t.Helper()
	n, err := s.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLogoutAndRightsTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		s := f.service("a")
		if err := s.SessionEnded(ctx, "m1", "sid1", []string{"panel", "gone"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SignedOutEverywhere(ctx, "m1"); err != nil {
			t.Fatal(err)
		}
		f.rights = []string{"server:read", "server:operate"}
		if err := s.RightsChanged(ctx, "id482913", "m1"); err != nil {
			t.Fatal(err)
		}
		if n := deliverDue(t, s); n != 3 {
			t.Fatalf("delivered %d, want 3 (the unknown client gets nothing)", n)
		}
		now := f.clock.Now().Unix()
		var logouts, sets int
		for jti, c := range f.product.claims {
			if c["iss"] != issuer || c["aud"] != "panel" || c["jti"] != jti || c["iat"] != float64(now) || c["exp"] != float64(now+120) || c["nonce"] != nil {
				t.Fatalf("claims %v", c)
			}
			ev := c["events"].(map[string]any)
			switch f.product.typ[jti] {
			case "logout+jwt":
				logouts++
				if _, ok := ev[events.EventBackchannelLogout]; !ok || c["sub"] != "m1" {
					t.Fatalf("logout claims %v", c)
				}
				if sid, _ := c["sid"].(string); sid != "sid1" && sid != "" {
					t.Fatalf("sid %q", sid)
				}
			case "secevent+jwt":
				sets++
				change := ev[events.EventTokenClaimsChange].(map[string]any)
				rights := change["claims"].(map[string]any)["rights"].([]any)
				if fmt.Sprint(rights) != "[server:read server:operate]" || change["event_timestamp"] != float64(now) ||
					c["sub_id"].(map[string]any)["id"] != "m1" || c["sid"] != nil {
					t.Fatalf("SET claims %v", c)
				}
			default:
				t.Fatalf("typ %q", f.product.typ[jti])
			}
		}
		if logouts != 2 || sets != 1 {
			t.Fatalf("%d logout tokens and %d SETs, want 2 and 1", logouts, sets)
		}
	})
}

// TestRetrySameJTI: a product answering 503 gets the token later, with the
// same jti; one answering 400 refused it for good.
func TestRetrySameJTI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		s := f.service("a")
		f.product.status.Store(http.StatusServiceUnavailable)
		if err := s.SessionEnded(ctx, "m1", "sid1", []string{"panel"}); err != nil {
			t.Fatal(err)
		}
		if n := deliverDue(t, s); n != 0 || f.product.tried.Load() != 1 {
			t.Fatalf("delivered %d, tried %d", n, f.product.tried.Load())
		}
		list, _ := s.Recent(ctx, "", 10)
		if len(list) != 1 || list[0].State != events.StatePending || list[0].Attempts != 1 || list[0].LastStatus != 503 ||
			list[0].NextAttemptAt == nil || !list[0].NextAttemptAt.Equal(f.clock.Now().Add(5*time.Second)) {
			t.Fatalf("after a 503: %+v", list)
		}
		jti := list[0].JTI
		// Not due before the backoff.
		if deliverDue(t, s); f.product.tried.Load() != 1 {
			t.Fatal("retried before the backoff")
		}
		f.product.status.Store(0)
		f.clock.Advance(5 * time.Second)
		if n := deliverDue(t, s); n != 1 {
			t.Fatalf("delivered %d after the backoff", n)
		}
		if got := f.product.accepted(); len(got) != 1 || got[jti] != 1 {
			t.Fatalf("accepted %v, want jti %s once", got, jti)
		}

		// A 400 is final.
		f.product.status.Store(http.StatusBadRequest)
		if err := s.SessionEnded(ctx, "m2", "sid2", []string{"panel"}); err != nil {
			t.Fatal(err)
		}
		deliverDue(t, s)
		failed, _ := s.Recent(ctx, events.StateFailed, 10)
		if len(failed) != 1 || failed[0].Subject != "m2" || failed[0].LastStatus != 400 || failed[0].LastError != "HTTP 400: invalid_request: refused by the test" {
			t.Fatalf("after a 400: %+v", failed)
		}
		tried := f.product.tried.Load()
		f.clock.Advance(time.Hour)
		if deliverDue(t, s); f.product.tried.Load() != tried {
			t.Fatal("a refused token was sent again")
		}
	})
}

// TestLateLogoutKeepsChangeTime: a logout token retried long after the
// change carries the change's time as iat (a product ends what was issued
// until then, not a session opened since) and a fresh exp; a
// token-claims-change event keeps its event_timestamp.
func TestLateLogoutKeepsChangeTime(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		s := f.service("a")
		f.product.status.Store(http.StatusServiceUnavailable)
		changed := f.clock.Now().Unix()
		if err := s.SignedOutEverywhere(ctx, "m1"); err != nil {
			t.Fatal(err)
		}
		if err := s.RightsChanged(ctx, "id482913", "m1"); err != nil {
			t.Fatal(err)
		}
		deliverDue(t, s)
		f.product.status.Store(0)
		f.clock.Advance(10 * time.Minute)
		if n := deliverDue(t, s); n != 2 {
			t.Fatalf("delivered %d after the product came back, want 2", n)
		}
		now := f.clock.Now().Unix()
		for jti, c := range f.product.claims {
			switch f.product.typ[jti] {
			case "logout+jwt":
				if c["iat"] != float64(changed) || c["exp"] != float64(now+120) {
					t.Fatalf("late logout token iat %v exp %v, want iat %d (the change) and exp %d", c["iat"], c["exp"], changed, now+120)
				}
			case "secevent+jwt":
				change := c["events"].(map[string]any)[events.EventTokenClaimsChange].(map[string]any)
				if change["event_timestamp"] != float64(changed) || c["iat"] != float64(now) || c["exp"] != float64(now+120) {
					t.Fatalf("late SET event_timestamp %v iat %v exp %v", change["event_timestamp"], c["iat"], c["exp"])
				}
			}
		}
		if len(f.product.claims) != 2 {
			t.Fatalf("%d tokens accepted, want 2", len(f.product.claims))
		}
	})
}

// TestRetryWindow: a product down for good sees 18 attempts spread over
// about an hour, then the delivery has failed.
func TestRetryWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		s := f.service("a")
		f.product.status.Store(http.StatusBadGateway)
		start := f.clock.Now()
		if err := s.SessionEnded(ctx, "m1", "", []string{"panel"}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			deliverDue(t, s)
			list, _ := s.Recent(ctx, "", 1)
			if list[0].State == events.StateFailed {
				break
			}
			f.clock.Advance(list[0].NextAttemptAt.Sub(f.clock.Now()))
		}
		list, _ := s.Recent(ctx, "", 1)
		window := f.clock.Now().Sub(start)
		if list[0].State != events.StateFailed || list[0].Attempts != 18 || window < 55*time.Minute || window > 65*time.Minute {
			t.Fatalf("state %s after %d attempts over %s, want failed after 18 over about an hour", list[0].State, list[0].Attempts, window)
		}
	})
}

// TestTwoInstances: workers of two instances on one database never both
// deliver a row.
func TestTwoInstances(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a, b := f.service("host/1/a"), f.service("host/2/b")
		const rows = 60
		for i := range rows {
			if err := a.SessionEnded(ctx, fmt.Sprintf("m%d", i), "", []string{"panel"}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		var total atomic.Int64
		for _, s := range []*events.Service{a, b, a, b} {
			wg.Go(func() {
				n, err := s.DeliverDue(ctx)
				if err != nil {
					t.Error(err)
				}
				total.Add(int64(n))
			})
		}
		wg.Wait()
		got := f.product.accepted()
		if total.Load() != rows || len(got) != rows {
			t.Fatalf("delivered %d, %d distinct tokens, want %d", total.Load(), len(got), rows)
		}
		for jti, n := range got {
			if n != 1 {
				t.Fatalf("jti %s delivered %d times", jti, n)
			}
		}
	})
}

// TestRestart: rows written by a process that stopped before delivering
// them go out from the next instance.
func TestRestart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		first := f.service("host/1/a")
		if err := first.SessionEnded(ctx, "m1", "sid1", []string{"panel"}); err != nil {
			t.Fatal(err)
		}
		// A row claimed by a worker that died keeps its lease: it goes
		// out once the lease ends.
		if err := first.SessionEnded(ctx, "m2", "sid2", []string{"panel"}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, d.Rebind(`UPDATE event_deliveries SET locked_by = 'host/1/a', locked_until = ?, attempts = 1 WHERE subject = 'm2'`),
			f.clock.Now().Add(22*time.Second)); err != nil {
			t.Fatal(err)
		}
		next := f.service("host/3/c")
		ctx2, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { next.Run(ctx2); close(done) }()
		waitAccepted(t, f.product, 1)
		cancel()
		<-done
		f.clock.Advance(23 * time.Second)
		if n := deliverDue(t, next); n != 1 {
			t.Fatalf("after the lease: delivered %d", n)
		}
		if got := f.product.accepted(); len(got) != 2 {
			t.Fatalf("accepted %v", got)
		}
	})
}

func waitAccepted(t *testing.T, p *product, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); len(p.accepted()) < n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("accepted %d tokens, want %d", len(p.accepted()), n)
		}
	}
}

// TestExpiryOnce: an expiry reported twice (two instances) is written once.
func TestExpiryOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a, b := f.service("a"), f.service("b")
		at := f.clock.Now().Add(-time.Second)
		for _, s := range []*events.Service{a, b, a} {
			if err := s.RightsExpired(ctx, "id482913", "m1", at); err != nil {
				t.Fatal(err)
			}
		}
		if b, err := a.Backlog(ctx, events.KindRights); err != nil || b.Pending != 1 {
			t.Fatalf("%d rows (%v), want 1", b.Pending, err)
		}
		deliverDue(t, b)
		for _, c := range f.product.claims {
			ts := c["events"].(map[string]any)[events.EventTokenClaimsChange].(map[string]any)["event_timestamp"]
			if ts != float64(at.Unix()) {
				t.Fatalf("event_timestamp %v, want the expiry %d", ts, at.Unix())
			}
		}
	})
}

// TestDownProductHoldsNobodyUp: tokens waiting for a product that is down
// cost one failed attempt per backoff step, not one each, and do not hold
// up another product's; once it answers, they all go out.
func TestDownProductHoldsNobodyUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		up := newProduct(t, f.key)
		s := events.New(d, events.Options{
			Issuer: issuer, Signer: signer{f.key}, Now: f.clock.Now, Instance: "a", Workers: 1,
			Client: func(_ context.Context, id string) (events.Client, error) {
				p := f.product
				if id == "up" {
					p = up
				}
				return events.Client{BackchannelLogoutURI: p.URL + "/backchannel-logout", Alg: "ES256"}, nil
			},
		})
		f.product.status.Store(http.StatusServiceUnavailable)
		for i := range 5 {
			if err := s.SessionEnded(ctx, fmt.Sprintf("m%d", i), "", []string{"down"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SessionEnded(ctx, "m9", "", []string{"up"}); err != nil {
			t.Fatal(err)
		}
		if n := deliverDue(t, s); n != 1 || len(up.accepted()) != 1 || f.product.tried.Load() != 1 {
			t.Fatalf("delivered %d, the product up got %d, the one down was tried %d times; want 1, 1, 1",
				n, len(up.accepted()), f.product.tried.Load())
		}
		f.product.status.Store(0)
		f.clock.Advance(5 * time.Second)
		if n := deliverDue(t, s); n != 5 || len(f.product.accepted()) != 5 {
			t.Fatalf("once back: delivered %d, accepted %d, want 5", n, len(f.product.accepted()))
		}
	})
}

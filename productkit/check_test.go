package productkit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func (f *fixture) checker(t testing.TB, ttl time.Duration) *Checker {
	t.Helper()
	ch, err := NewChecker(CheckerConfig{Issuer: f.issuer, ClientID: testClient, ClientSecret: testSecret, CacheTTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestCheckerCachesDecisions(t *testing.T) {
	f := newFixture(t)
	ch := f.checker(t, 5*time.Second)
	ctx := context.Background()
	ask := func(sub, resource string) bool {
		t.Helper()
		ok, err := ch.Check(ctx, sub, "id482913", "domain:dns", resource)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	for range 10 {
		if !ask("alice", "example.cm") {
			t.Fatal("alice refused domain:dns on example.cm")
		}
	}
	if hits := f.fake.CheckHits(); hits != 1 {
		t.Fatalf("10 identical checks made %d calls, want 1", hits)
	}
	if ask("alice", "boutique.fr") {
		t.Fatal("alice allowed domain:dns on boutique.fr")
	}
	if ask("bob", "example.cm") {
		t.Fatal("bob allowed domain:dns on example.cm")
	}
	if hits := f.fake.CheckHits(); hits != 3 {
		t.Fatalf("3 distinct questions made %d calls, want 3", hits)
	}
	// Refusals are cached too.
	ask("alice", "boutique.fr")
	if hits := f.fake.CheckHits(); hits != 3 {
		t.Fatalf("a cached refusal made a call (%d)", hits)
	}

	// The owner removes the right: the cached decision lives until its TTL.
	f.fake.SetRights("alice", "domain:read")
	if !ask("alice", "example.cm") {
		t.Fatal("cached decision lost before its TTL")
	}
	f.clock.Advance(6 * time.Second)
	if ask("alice", "example.cm") {
		t.Fatal("removed right still allowed after the TTL")
	}
	if hits := f.fake.CheckHits(); hits != 4 {
		t.Fatalf("calls = %d, want 4", hits)
	}
}

func TestCheckerWithoutCache(t *testing.T) {
	f := newFixture(t)
	ch := f.checker(t, -1)
	for range 3 {
		if _, err := ch.Check(context.Background(), "alice", "id482913", "domain:read", ""); err != nil {
			t.Fatal(err)
		}
	}
	if hits := f.fake.CheckHits(); hits != 3 {
		t.Fatalf("calls = %d, want 3", hits)
	}
}

func TestCheckerFailure(t *testing.T) {
	f := newFixture(t)
	ch := f.checker(t, time.Minute)
	f.fake.FailChecks(http.StatusInternalServerError)
	if _, err := ch.Check(context.Background(), "alice", "id482913", "domain:read", ""); !errors.Is(err, ErrCheck) {
		t.Fatalf("Check = %v, want ErrCheck", err)
	}
	// A failure is not cached.
	f.fake.FailChecks(0)
	if ok, err := ch.Check(context.Background(), "alice", "id482913", "domain:read", ""); err != nil || !ok {
		t.Fatalf("Check after recovery = %v, %v", ok, err)
	}
}

func TestCheckerWrongSecret(t *testing.T) {
	f := newFixture(t)
	ch, _ := NewChecker(CheckerConfig{Issuer: f.issuer, ClientID: testClient, ClientSecret: "wrong"})
	if _, err := ch.Check(context.Background(), "alice", "id482913", "domain:read", ""); !errors.Is(err, ErrCheck) {
		t.Fatalf("Check = %v, want ErrCheck", err)
	}
}

// TestRequireLive decides from the check API, not from the token: a token
// that still carries a right is refused once the right is removed.
func TestRequireLive(t *testing.T) {
	f := newFixture(t)
	g := f.guard(t)
	ch := f.checker(t, 2*time.Second)
	r := gin.New()
	r.PUT("/api/domains/:domain/dns", g.Middleware(), Require("domain:dns", ResourceParam("domain"), Live(ch)),
		func(c *gin.Context) { c.String(200, "ok") })
	tok := f.fake.AccessToken("alice", testClient, time.Hour)
	do := func(domain string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("PUT", "/api/domains/"+domain+"/dns", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	for range 5 {
		if w := do("example.cm"); w.Code != 200 {
			t.Fatalf("status = %d, want 200", w.Code)
		}
	}
	if w := do("boutique.fr"); w.Code != 403 {
		t.Fatalf("other domain: status = %d, want 403", w.Code)
	}
	if hits := f.fake.CheckHits(); hits != 2 {
		t.Fatalf("check calls = %d, want 2", hits)
	}
	f.fake.SetRights("alice", "domain:read")
	f.clock.Advance(3 * time.Second)
	if w := do("example.cm"); w.Code != 403 {
		t.Fatalf("after removal: status = %d, want 403", w.Code)
	}
	f.fake.FailChecks(http.StatusInternalServerError)
	f.clock.Advance(3 * time.Second)
	w := do("example.cm")
	var body ErrorBody
	json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != http.StatusServiceUnavailable || body.Error != "unavailable" {
		t.Fatalf("check API down: status = %d body %s, want 503 unavailable", w.Code, w.Body)
	}
}

func BenchmarkCheckerCached(b *testing.B) {
	f := newFixture(b)
	ch := f.checker(b, time.Hour)
	ctx := context.Background()
	if _, err := ch.Check(ctx, "alice", "id482913", "domain:dns", "example.cm"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ch.Check(ctx, "alice", "id482913", "domain:dns", "example.cm")
	}
}

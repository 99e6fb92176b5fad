package productkit

import (
	"testing"
	"time"

	"github.com/sesame-idp/sesame/internal/testclock"
	"github.com/sesame-idp/sesame/productkit/productkittest"
)

// clock is the tests' settable time.
type clock = testclock.Clock

func newClock() *clock { return testclock.New(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)) }

const (
	testClient = "domain-panel"
	testSecret = "s3cret-of-the-domain-panel"
)

// fixture is a fake Sésame with one client and two people, and an Issuer
// of productkit pointed at it, both on one clock.
type fixture struct {
	fake   *productkittest.Issuer
	issuer *Issuer
	clock  *clock
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clk := newClock()
	fake := productkittest.New(t)
	fake.Now = clk.Now
	fake.AddClient(productkittest.Client{ID: testClient, Secret: testSecret})
	fake.AddPerson(productkittest.Person{
		Sub: "alice", AccountID: "id482913", Email: "alice@example.cm", Name: "Alice Martin",
		Rights: []string{"domain:read", "domain:dns:example.cm"},
	})
	fake.AddPerson(productkittest.Person{
		Sub: "bob", AccountID: "id482913", Email: "bob@example.cm", Name: "Bob",
		Rights: []string{"domain:read"},
	})
	iss, err := NewIssuer(IssuerConfig{URL: fake.URL, Now: clk.Now, HTTPClient: fake.Server.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{fake: fake, issuer: iss, clock: clk}
}

func (f *fixture) guard(t testing.TB) *Guard {
	t.Helper()
	g, err := NewGuard(GuardConfig{Issuer: f.issuer, Audience: testClient})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

package productkit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/productkit/productkittest"
)

// accessClaims are the claims of a good access token for alice.
func (f *fixture) accessClaims() map[string]any {
	c := f.fake.PersonClaims("alice")
	now := f.clock.Now()
	c["iss"] = f.fake.URL
	c["aud"] = []string{testClient}
	c["client_id"] = testClient
	c["scope"] = "openid profile email offline_access"
	c["jti"] = "jti-1"
	c["iat"] = now.Unix()
	c["exp"] = now.Add(10 * time.Minute).Unix()
	return c
}

func with(c map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for key, val := range c {
		out[key] = val
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

func TestGuardVerify(t *testing.T) {
	f := newFixture(t)
	g := f.guard(t)
	foreign, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := f.accessClaims()
	hs := productkittest.SignWith([]byte("0123456789abcdef0123456789abcdef"), "HS256", f.fake.CurrentKID(), "at+jwt", good)
	b64 := base64.RawURLEncoding.EncodeToString
	header := func(s string) string { return b64([]byte(s)) }

	tests := []struct {
		name  string
		token string
		want  error  // nil: accepted
		why   string // part of the error text, when want is not nil
	}{
		{name: "good token", token: f.fake.Sign("", "at+jwt", good)},
		{name: "typ application/at+jwt", token: f.fake.Sign("", "application/at+jwt", good)},
		{name: "another issuer", token: f.fake.Sign("", "at+jwt", with(good, "iss", "https://login.other.example")), want: ErrInvalidToken, why: "different provider"},
		{name: "signed by an unpublished key", token: productkittest.SignWith(foreign, "ES256", f.fake.CurrentKID(), "at+jwt", good), want: ErrInvalidToken, why: "signature"},
		{name: "expired", token: f.fake.Sign("", "at+jwt", with(good, "exp", f.clock.Now().Add(-time.Second).Unix())), want: ErrExpiredToken},
		{name: "another audience", token: f.fake.Sign("", "at+jwt", with(good, "aud", []string{"server-panel"})), want: ErrInvalidToken, why: "audience"},
		{name: "ID token as access token", token: f.fake.IDToken("alice", testClient, "n"), want: ErrNotAccessToken},
		{name: "no typ", token: f.fake.Sign("", "", good), want: ErrNotAccessToken},
		{name: "at+jwt without client_id", token: f.fake.Sign("", "at+jwt", with(good, "client_id", nil)), want: ErrNotAccessToken},
		{name: "no subject", token: f.fake.Sign("", "at+jwt", with(good, "sub", nil)), want: ErrInvalidToken, why: "sub"},
		{name: "alg none", token: header(`{"alg":"none","typ":"at+jwt"}`) + "." + b64([]byte(`{"sub":"alice"}`)) + ".", want: ErrMalformedToken},
		{name: "HS256 with the key id of a real key", token: hs, want: ErrMalformedToken},
		{name: "garbage", token: "not.a.jwt", want: ErrMalformedToken},
		{name: "empty", token: "", want: ErrMalformedToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, err := g.Verify(context.Background(), tt.token)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if at.Sub != "alice" || at.AccountID != "id482913" || at.ClientID != testClient || !at.HasScope("email") ||
					len(at.Rights) != 2 || at.Email != "alice@example.cm" || at.Name != "Alice Martin" {
					t.Fatalf("token = %+v", at)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("%v does not wrap ErrInvalidToken", err)
			}
			if tt.why != "" && !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("Verify error = %v, want it to mention %q", err, tt.why)
			}
		})
	}
}

func TestGuardKeyRotation(t *testing.T) {
	f := newFixture(t)
	g := f.guard(t)
	ctx := context.Background()
	oldKID := f.fake.CurrentKID()
	old := f.fake.Sign(oldKID, "at+jwt", f.accessClaims())
	if _, err := g.Verify(ctx, old); err != nil {
		t.Fatalf("token of the first key: %v", err)
	}
	if hits := f.fake.JWKSHits(); hits != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", hits)
	}

	// Sésame rotates to an RS256 key and drops the old one.
	f.clock.Advance(11 * time.Second)
	newKID := f.fake.Rotate("RS256")
	f.fake.RemoveKey(oldKID)
	fresh := f.fake.Sign(newKID, "at+jwt", f.accessClaims())
	if _, err := g.Verify(ctx, fresh); err != nil {
		t.Fatalf("token of the new key: %v", err)
	}
	if hits := f.fake.JWKSHits(); hits != 2 {
		t.Fatalf("JWKS fetched %d times, want 2 (one for the new kid)", hits)
	}
	if _, err := g.Verify(ctx, old); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of the removed key accepted: %v", err)
	}
	if _, err := g.Verify(ctx, fresh); err != nil {
		t.Fatalf("token of the new key, from cache: %v", err)
	}
	if hits := f.fake.JWKSHits(); hits != 2 {
		t.Fatalf("JWKS fetched %d times, want still 2", hits)
	}
}

// A key removed from the JWKS stops being accepted once the cached keys are
// older than KeysMaxAge, even when no token with a new key id arrives.
func TestGuardRemovedKeyAfterMaxAge(t *testing.T) {
	f := newFixture(t)
	g := f.guard(t)
	ctx := context.Background()
	oldKID := f.fake.CurrentKID()
	f.fake.Rotate("ES256")
	if _, err := g.Verify(ctx, f.fake.Sign(oldKID, "at+jwt", f.accessClaims())); err != nil {
		t.Fatal(err)
	}
	f.fake.RemoveKey(oldKID)
	f.clock.Advance(11 * time.Minute)
	if _, err := g.Verify(ctx, f.fake.Sign(oldKID, "at+jwt", f.accessClaims())); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of a removed key accepted after max age: %v", err)
	}
}

// Garbage tokens must not turn into JWKS fetches: unparsable ones cause
// none, well-formed ones with unknown key ids at most one per
// KeysMinInterval.
func TestGuardNoFetchStorm(t *testing.T) {
	f := newFixture(t)
	g := f.guard(t)
	ctx := context.Background()
	if _, err := g.Verify(ctx, f.fake.Sign("", "at+jwt", f.accessClaims())); err != nil {
		t.Fatal(err)
	}
	base := f.fake.JWKSHits()

	for n := range 100 {
		junk := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"alg":"ES256","kid":"%d"`, n))) + ".e30.c2ln"
		if _, err := g.Verify(ctx, junk); !errors.Is(err, ErrMalformedToken) {
			t.Fatalf("unparsable token: %v", err)
		}
	}
	if hits := f.fake.JWKSHits() - base; hits != 0 {
		t.Fatalf("unparsable tokens caused %d JWKS fetches, want 0", hits)
	}

	foreign, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var wg sync.WaitGroup
	for n := range 100 {
		tok := productkittest.SignWith(foreign, "ES256", fmt.Sprintf("random-%d-%d", n, time.Now().UnixNano()), "at+jwt", f.accessClaims())
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := g.Verify(ctx, tok); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("token with a random kid: %v", err)
			}
		}()
	}
	wg.Wait()
	if hits := f.fake.JWKSHits() - base; hits > 1 {
		t.Fatalf("100 tokens with random kids caused %d JWKS fetches, want at most 1", hits)
	}
	t.Logf("100 unparsable + 100 random-kid tokens: %d JWKS fetch(es)", f.fake.JWKSHits()-base)

	// Once the interval has passed, one more fetch is allowed, not more.
	f.clock.Advance(11 * time.Second)
	for n := range 100 {
		tok := productkittest.SignWith(foreign, "ES256", fmt.Sprintf("again-%d", n), "at+jwt", f.accessClaims())
		g.Verify(ctx, tok)
	}
	if hits := f.fake.JWKSHits() - base; hits > 2 {
		t.Fatalf("after the interval: %d JWKS fetches, want at most 2", hits)
	}
}

func TestNewIssuerRefusesWeakAlgorithms(t *testing.T) {
	for _, alg := range []string{"none", "HS256", "hs512", "XX1"} {
		if _, err := NewIssuer(IssuerConfig{URL: "https://login.example.cm", Algorithms: []string{alg}}); err == nil {
			t.Errorf("algorithm %q accepted", alg)
		}
	}
	if _, err := NewIssuer(IssuerConfig{URL: "login.example.cm"}); err == nil {
		t.Error("relative issuer URL accepted")
	}
}

func TestDiscoveryIssuerMismatch(t *testing.T) {
	f := newFixture(t)
	iss, err := NewIssuer(IssuerConfig{URL: f.fake.URL + "/other", HTTPClient: f.fake.Server.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Discover(context.Background()); !errors.Is(err, ErrDiscovery) {
		t.Fatalf("Discover = %v, want ErrDiscovery", err)
	}
}

func BenchmarkGuardVerify(b *testing.B) {
	f := newFixture(b)
	g := f.guard(b)
	tok := f.fake.Sign("", "at+jwt", f.accessClaims())
	ctx := context.Background()
	if _, err := g.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := g.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

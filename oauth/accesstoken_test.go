package oauth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/token/jwt"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// watching returns p once its revocation watcher listens; it stops with
// the test.
func watching(t *testing.T, p *Provider) *Provider {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.WatchRevocations(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-p.tokens.follow.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("the revocation watcher does not listen")
	}
	return p
}

// issue stores and returns a client-credentials access token of clientID,
// as fosite's token endpoint does; it also returns the grant's request ID.
func issue(t *testing.T, p *Provider, clientID string, scopes ...string) (string, string) {
	t.Helper()
	s := NewSession()
	s.ClientID = clientID
	s.SetExpiresAt(fosite.AccessToken, time.Now().Add(15*time.Minute))
	r := request(clientID, s, scopes...)
	strategy := &oauth2.DefaultJWTStrategy{Signer: &signer{keys: p.Keys}, Config: fositeConfig()}
	tok, sig, err := strategy.GenerateAccessToken(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Store.CreateAccessTokenSession(context.Background(), sig, r); err != nil {
		t.Fatal(err)
	}
	return tok, r.GetID()
}

func addClient(t *testing.T, st *sqlstore.Store, id string) {
	t.Helper()
	err := st.CreateClient(context.Background(), &sqlstore.Client{ID: id, Name: "Product " + id,
		GrantTypes: []string{"client_credentials"}, Scopes: []string{ScopeAuthz}}, "0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
}

// signAT signs claims as an access token would be (typ given) with k.
func signAT(t *testing.T, k *SigningKey, typ string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jose.SignatureAlgorithm(k.Alg), claims)
	if typ != "" {
		tok.Header["typ"] = typ
	}
	raw, err := tok.SignedString(k.jwk())
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestVerifyAccessToken: a token is verified locally after its first
// sight, refused once revoked (in process at once), and every invalid
// token is refused.
func TestVerifyAccessToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ring := newRing(t)
		ks := loadKeys(t, d, ring)
		p := watching(t, newProvider(t, d, ring, ks, rightsOf{}))
		addClient(t, p.Store, "svc")

		tok, reqID := issue(t, p, "svc", ScopeAuthz)
		at, err := p.VerifyAccessToken(ctx, tok)
		if err != nil || at.ClientID != "svc" || !at.HasScope(ScopeAuthz) || at.AccountID != "" {
			t.Fatalf("VerifyAccessToken = %+v, %v", at, err)
		}
		// Revoked through the store (the revocation endpoint's path): refused
		// at once.
		if err := p.Store.RevokeAccessToken(ctx, reqID); err != nil {
			t.Fatal(err)
		}
		if _, err := p.VerifyAccessToken(ctx, tok); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("revoked token: %v, want ErrInvalidToken", err)
		}

		// A deleted client's tokens are refused.
		addClient(t, p.Store, "gone")
		gone, _ := issue(t, p, "gone", ScopeAuthz)
		if _, err := p.VerifyAccessToken(ctx, gone); err != nil {
			t.Fatal(err)
		}
		if err := p.Store.DeleteClient(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		if _, err := p.VerifyAccessToken(ctx, gone); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("token of a deleted client: %v, want ErrInvalidToken", err)
		}

		cur, err := ks.Current(ES256)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		valid := func() jwt.MapClaims {
			return jwt.MapClaims{"iss": testIssuer, "client_id": "svc", "scope": ScopeAuthz, "jti": "j1",
				"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
		}
		with := func(k string, v any) jwt.MapClaims {
			c := valid()
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
			return c
		}
		tampered := []byte(tok)
		tampered[len(tampered)-5] ^= 0x01
		bad := []struct {
			name string
			raw  string
		}{
			{"bad signature", string(tampered)},
			{"signed by an unknown key", signAT(t, foreignKey(t, "nobody"), accessTokenType, valid())},
			{"ID token", idToken(t, ks, personSession(t, p, Person{Subject: "m1", AccountID: "id123456"}, "svc"), "svc")},
			{"no typ", signAT(t, cur, "", valid())},
			{"expired", signAT(t, cur, accessTokenType, with("exp", now.Add(-time.Second).Unix()))},
			{"no expiry", signAT(t, cur, accessTokenType, with("exp", nil))},
			{"not valid yet", signAT(t, cur, accessTokenType, with("nbf", now.Add(time.Hour).Unix()))},
			{"no issuer", signAT(t, cur, accessTokenType, with("iss", nil))},
			{"never stored", signAT(t, cur, accessTokenType, valid())},
			{"opaque", "not-a-jwt"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := p.VerifyAccessToken(ctx, tt.raw); !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("err = %v, want ErrInvalidToken", err)
				}
			})
		}
	})
}

// TestVerifyAccessTokenGap: while revocations may be missed, every call
// reads the database (TestRevocationWatchOutage cuts a real connection and
// sees the resync that follows).
func TestVerifyAccessTokenGap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ring := newRing(t)
		p := watching(t, newProvider(t, d, ring, loadKeys(t, d, ring), rightsOf{}))
		addClient(t, p.Store, "svc")
		tok, _ := issue(t, p, "svc", ScopeAuthz)
		if _, err := p.VerifyAccessToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		// A revocation nobody announces (as one missed while the listener
		// is down): the token is still accepted from memory...
		if _, err := d.ExecContext(ctx, `UPDATE oauth_access_tokens SET active = FALSE`); err != nil {
			t.Fatal(err)
		}
		if _, err := p.VerifyAccessToken(ctx, tok); err != nil {
			t.Fatalf("remembered token: %v (was the database read?)", err)
		}
		// ...until the listener's connection is lost: then the database
		// decides.
		p.tokens.follow.Cut()
		if _, err := p.VerifyAccessToken(ctx, tok); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("during the gap: %v, want ErrInvalidToken", err)
		}
	})
}

// TestRevocationReachesOtherInstance: a token revoked through one instance
// is refused by another on the same PostgreSQL within a second.
func TestRevocationReachesOtherInstance(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	ring := newRing(t)
	ks := loadKeys(t, d, ring)
	a := watching(t, newProvider(t, d, ring, ks, rightsOf{}))
	b := watching(t, newProvider(t, d, ring, loadKeys(t, d, ring), rightsOf{}))
	addClient(t, a.Store, "svc")
	addClient(t, a.Store, "other")
	tok, reqID := issue(t, a, "svc", ScopeAuthz)
	other, _ := issue(t, a, "other", ScopeAuthz)
	for _, raw := range []string{tok, other} {
		if _, err := b.VerifyAccessToken(ctx, raw); err != nil {
			t.Fatal(err)
		}
	}
	refused := func(raw string, what string) {
		t.Helper()
		start := time.Now()
		for {
			_, err := b.VerifyAccessToken(ctx, raw)
			if errors.Is(err, ErrInvalidToken) {
				t.Logf("%s refused by the other instance after %v", what, time.Since(start))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > time.Second {
				t.Fatalf("%s still accepted by the other instance after 1 s", what)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	if err := a.Store.RevokeAccessToken(ctx, reqID); err != nil {
		t.Fatal(err)
	}
	refused(tok, "revoked token")
	if err := a.Store.DeleteClient(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	refused(other, "token of a deleted client")
}

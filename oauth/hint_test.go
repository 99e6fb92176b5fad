package oauth

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ory/fosite/token/jwt"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

func TestIDTokenHint(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ring := newRing(t)
		ks := loadKeys(t, d, ring)
		p := newProvider(t, d, ring, ks, rightsOf{"m_ana": {"domain:read"}})
		s := &signer{keys: ks}
		sess := func() *Session { return personSession(t, p, person(), "shop") }
		// idClaims are the claims of an ID token of Ana for shop that
		// expired an hour ago, as fosite writes them.
		idClaims := func() jwt.MapClaims {
			c := sess().IDTokenClaims()
			c.Audience = []string{"shop"}
			c.IssuedAt = time.Now().Add(-2 * time.Hour)
			c.ExpiresAt = time.Now().Add(-time.Hour)
			return c.ToMapClaims()
		}
		sign := func(c jwt.MapClaims, h jwt.Mapper) string {
			raw, _, err := s.Generate(ctx, c, h)
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}

		expired := sign(idClaims(), sess().IDTokenHeaders())
		valid := idToken(t, ks, sess(), "shop")
		rs, _, err := s.Generate(WithSigningAlg(ctx, RS256), idClaims(), sess().IDTokenHeaders())
		if err != nil {
			t.Fatal(err)
		}
		oneAudience := idClaims()
		oneAudience["aud"] = "shop"

		// Signed with a key since retired, but still published.
		beforeRotation := sign(idClaims(), nil)
		if _, err := ks.Rotate(ctx, ES256, 0); err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct{ name, token string }{
			{"fresh", valid},
			{"expired", expired},
			{"RS256", rs},
			{"audience as a string", sign(oneAudience, nil)},
			{"signed by a retired key", beforeRotation},
		} {
			t.Run("accepts/"+tc.name, func(t *testing.T) {
				sub, aud, err := p.IDTokenHint(ctx, tc.token)
				if err != nil {
					t.Fatal(err)
				}
				if sub != "m_ana" || !slices.Equal(aud, []string{"shop"}) {
					t.Fatalf("IDTokenHint = %q, %v; want m_ana, [shop]", sub, aud)
				}
			})
		}

		otherIssuer := idClaims()
		otherIssuer["iss"] = "https://evil.example"
		noIssuer := idClaims()
		delete(noIssuer, "iss")
		noSubject := idClaims()
		delete(noSubject, "sub")
		noAudience := idClaims()
		noAudience["aud"] = []string{}
		notYetValid := idClaims()
		notYetValid["exp"] = time.Now().Add(-time.Hour).Unix()
		notYetValid["nbf"] = time.Now().Add(time.Hour).Unix()
		for _, tc := range []struct{ name, token string }{
			{"access token", accessToken(t, ks, sess(), "shop", ScopeOpenID)},
			{"ID token claims typed as an access token", sign(idClaims(), &jwt.Headers{Extra: map[string]any{"typ": "at+jwt"}})},
			{"another issuer", sign(otherIssuer, nil)},
			{"no issuer", sign(noIssuer, nil)},
			{"no subject", sign(noSubject, nil)},
			{"no audience", sign(noAudience, nil)},
			{"expired and not yet valid", sign(notYetValid, nil)},
			{"a foreign key", signWith(t, foreignKey(t, "elsewhere"), idClaims())},
			{"garbage", "garbage"},
			{"three dots", "a.b.c"},
			{"empty", ""},
		} {
			t.Run("refuses/"+tc.name, func(t *testing.T) {
				sub, aud, err := p.IDTokenHint(ctx, tc.token)
				if !errors.Is(err, ErrBadHint) {
					t.Fatalf("IDTokenHint = %q, %v, %v; want ErrBadHint", sub, aud, err)
				}
				if sub != "" || aud != nil {
					t.Fatalf("a refused hint still names %q %v", sub, aud)
				}
			})
		}

		t.Run("refuses/key no longer published", func(t *testing.T) {
			later := newKeySet(d, ring, publishWindow)
			later.now = func() time.Time { return time.Now().Add(publishWindow + time.Minute) }
			if err := later.Load(ctx); err != nil {
				t.Fatal(err)
			}
			p2 := newProvider(t, d, ring, later, rightsOf{})
			if _, _, err := p2.IDTokenHint(ctx, beforeRotation); !errors.Is(err, ErrBadHint) {
				t.Fatalf("IDTokenHint = %v, want ErrBadHint", err)
			}
			if _, _, err := p2.IDTokenHint(ctx, sign(idClaims(), nil)); err != nil {
				t.Fatalf("a token of the current key: %v", err)
			}
		})
	})
}

package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ory/fosite/token/jwt"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

func claimsFor(sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"sub": sub, "iss": testIssuer, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

func TestSignerSelectsKeys(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ks := loadKeys(t, d, newRing(t))
		s := &signer{keys: ks}
		es, _ := ks.Current(ES256)
		rs, _ := ks.Current(RS256)

		// The header the caller gives cannot choose the key or algorithm.
		raw, sig, err := s.Generate(ctx, claimsFor("m_1"), &jwt.Headers{Extra: map[string]any{"typ": "at+jwt", "kid": "chosen", "alg": "none"}})
		if err != nil {
			t.Fatal(err)
		}
		h := header(t, raw)
		if h["kid"] != es.KID || h["alg"] != ES256 || h["typ"] != "at+jwt" {
			t.Fatalf("header = %v, want kid %s, alg ES256, typ at+jwt", h, es.KID)
		}
		if got, err := s.Validate(ctx, raw); err != nil || got != sig {
			t.Fatalf("Validate = %q, %v; want the signature %q", got, err, sig)
		}
		tok, err := s.Decode(ctx, raw)
		if err != nil || !tok.Valid() || tok.Claims["sub"] != "m_1" {
			t.Fatalf("Decode = %+v, %v", tok, err)
		}

		for _, tc := range []struct{ name, alg, want string }{
			{"RS256 requested", RS256, rs.KID},
			{"ES256 requested", ES256, es.KID},
			{"unknown algorithm falls back to ES256", "HS256", es.KID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				raw, _, err := s.Generate(WithSigningAlg(ctx, tc.alg), claimsFor("m_1"), nil)
				if err != nil {
					t.Fatal(err)
				}
				if h := header(t, raw); h["kid"] != tc.want {
					t.Fatalf("header = %v, want kid %s", h, tc.want)
				}
				if _, err := s.Validate(ctx, raw); err != nil {
					t.Fatalf("Validate: %v", err)
				}
			})
		}

		// After a rotation tokens carry the new kid, and the old ones stay
		// valid while their key is published.
		before, _, err := s.Generate(ctx, claimsFor("m_2"), nil)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := ks.Rotate(ctx, ES256, 0)
		if err != nil {
			t.Fatal(err)
		}
		after, _, err := s.Generate(ctx, claimsFor("m_2"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if h := header(t, after); h["kid"] != fresh.KID {
			t.Fatalf("kid after rotation = %v, want %s", h["kid"], fresh.KID)
		}
		for name, raw := range map[string]string{"before": before, "after": after} {
			if _, err := s.Validate(ctx, raw); err != nil {
				t.Errorf("token signed %s the rotation: %v", name, err)
			}
		}
	})
}

func TestSignerRefuses(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ks := loadKeys(t, d, newRing(t))
		s := &signer{keys: ks}
		es, _ := ks.Current(ES256)
		rs, _ := ks.Current(RS256)
		good, _, err := s.Generate(ctx, claimsFor("m_1"), nil)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(good, ".")
		pubDER, err := x509.MarshalPKIXPublicKey(es.Private.Public())
		if err != nil {
			t.Fatal(err)
		}
		hs := func(kid string) string {
			head := segment(t, map[string]any{"alg": "HS256", "kid": kid, "typ": "JWT"})
			mac := hmac.New(sha256.New, pubDER)
			mac.Write([]byte(head + "." + parts[1]))
			return head + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
		}
		flip := func(seg string) string {
			b := []byte(seg)
			if b[len(b)/2] == 'A' {
				b[len(b)/2] = 'B'
			} else {
				b[len(b)/2] = 'A'
			}
			return string(b)
		}
		tampered := segment(t, map[string]any{"sub": "m_owner", "iss": testIssuer, "exp": time.Now().Add(time.Hour).Unix()})

		unknown := func(t *testing.T, err error) {
			if !errors.Is(validation(t, err).Inner, ErrUnknownKey) {
				t.Errorf("err = %v, want ErrUnknownKey inside", err)
			}
		}
		mismatch := func(t *testing.T, err error) {
			if !strings.Contains(err.Error(), "does not match its key") {
				t.Errorf("err = %v, want the algorithm refused before any verification", err)
			}
		}
		badSignature := func(t *testing.T, err error) {
			if !validation(t, err).Has(jwt.ValidationErrorSignatureInvalid) {
				t.Errorf("err = %v, want an invalid signature", err)
			}
		}
		malformed := func(t *testing.T, err error) {
			if !validation(t, err).Has(jwt.ValidationErrorMalformed) {
				t.Errorf("err = %v, want a malformed token", err)
			}
		}
		tests := []struct {
			name  string
			token string
			check func(t *testing.T, err error)
		}{
			{"unknown kid", signWith(t, foreignKey(t, "not-ours"), claimsFor("m_1")), unknown},
			{"no kid", segment(t, map[string]any{"alg": "ES256"}) + "." + parts[1] + "." + parts[2], unknown},
			{"a foreign key under our kid", signWith(t, foreignKey(t, es.KID), claimsFor("m_1")), badSignature},
			{"RS256 under the ES256 kid", signWith(t, &SigningKey{KID: es.KID, Alg: RS256, Private: rs.Private}, claimsFor("m_1")), mismatch},
			{"HS256 keyed with our public key", hs(es.KID), mismatch},
			{"alg none with our kid", segment(t, map[string]any{"alg": "none", "kid": es.KID}) + "." + parts[1] + ".", mismatch},
			{"alg none without signature part", segment(t, map[string]any{"alg": "none", "kid": es.KID}) + "." + parts[1], malformed},
			{"tampered signature", parts[0] + "." + parts[1] + "." + flip(parts[2]), badSignature},
			{"tampered claims", parts[0] + "." + tampered + "." + parts[2], badSignature},
			{"signature of another token", parts[0] + "." + parts[1] + "." + strings.Split(signWith(t, es, claimsFor("m_9")), ".")[2], badSignature},
			{"garbage", "not a token", malformed},
			{"empty", "", malformed},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tok, err := s.Decode(ctx, tc.token)
				if err == nil {
					t.Fatalf("Decode accepted it: %v", tok.Claims)
				}
				if tok != nil && tok.Valid() {
					t.Fatal("Decode returned a valid token with an error")
				}
				tc.check(t, err)
				if sig, err := s.Validate(ctx, tc.token); err == nil {
					t.Fatalf("Validate accepted it (%q)", sig)
				}
			})
		}

		t.Run("expired", func(t *testing.T) {
			c := claimsFor("m_1")
			c["exp"] = time.Now().Add(-time.Hour).Unix()
			raw, _, err := s.Generate(ctx, c, nil)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.Decode(ctx, raw)
			if ve := validation(t, err); ve.Errors != jwt.ValidationErrorExpired {
				t.Fatalf("errors = %b, want expired only", ve.Errors)
			}
			if tok == nil || tok.Claims["sub"] != "m_1" {
				t.Fatalf("an expired token comes back with its claims, got %+v", tok)
			}
		})
		t.Run("GetSignature", func(t *testing.T) {
			if _, err := s.GetSignature(ctx, "a.b"); err == nil {
				t.Error("two parts accepted")
			}
			if sig, err := s.GetSignature(ctx, good); err != nil || sig != parts[2] {
				t.Errorf("GetSignature = %q, %v", sig, err)
			}
		})
	})
}

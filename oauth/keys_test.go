package oauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/secret"
)

type storedKey struct {
	KID        string     `db:"kid"`
	Alg        string     `db:"alg"`
	PrivateKey string     `db:"private_key"`
	PublicJWK  string     `db:"public_jwk"`
	RetiredAt  *time.Time `db:"retired_at"`
}

func storedKeys(t *testing.T, d *db.DB) map[string]storedKey {
	t.Helper()
	var rows []storedKey
	if err := d.SelectContext(context.Background(), &rows, `SELECT kid, alg, private_key, public_jwk, retired_at FROM signing_keys`); err != nil {
		t.Fatal(err)
	}
	out := map[string]storedKey{}
	for _, r := range rows {
		out[r.KID] = r
	}
	return out
}

func TestKeySetLoad(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		first := secret.Generate()
		ring := newRing(t, first)
		ks := loadKeys(t, d, ring)

		es, err := ks.Current(ES256)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := ks.Current(RS256)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := es.Private.(*ecdsa.PrivateKey); !ok || es.Alg != ES256 {
			t.Errorf("ES256 key is a %T (%s)", es.Private, es.Alg)
		}
		if k, ok := rs.Private.(*rsa.PrivateKey); !ok || k.N.BitLen() < 2048 || rs.Alg != RS256 {
			t.Errorf("RS256 key is a %T (%s)", rs.Private, rs.Alg)
		}
		if _, err := ks.Current("HS256"); err == nil {
			t.Error("a current HS256 key exists")
		}

		rows := storedKeys(t, d)
		if len(rows) != 2 {
			t.Fatalf("%d stored keys, want 2", len(rows))
		}
		for _, k := range []*SigningKey{es, rs} {
			row, ok := rows[k.KID]
			if !ok || row.Alg != k.Alg || row.RetiredAt != nil {
				t.Fatalf("stored %s key = %+v", k.Alg, row)
			}
			// Sealed: neither PEM nor DER, and only the ring opens it.
			if strings.Contains(row.PrivateKey, "PRIVATE KEY") {
				t.Errorf("%s private key stored as PEM", k.Alg)
			}
			if raw, err := base64.RawURLEncoding.DecodeString(row.PrivateKey); err == nil {
				if _, err := x509.ParsePKCS8PrivateKey(raw); err == nil {
					t.Errorf("%s private key stored as plain PKCS #8", k.Alg)
				}
			}
			der, err := x509.MarshalPKCS8PrivateKey(k.Private)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(row.PrivateKey, base64.RawURLEncoding.EncodeToString(der[:32])) ||
				strings.Contains(row.PrivateKey, base64.StdEncoding.EncodeToString(der[:30])) {
				t.Errorf("%s private key stored in the clear", k.Alg)
			}
			opened, err := ring.Open(sealPurpose, row.PrivateKey)
			if err != nil {
				t.Fatalf("the ring does not open the stored %s key: %v", k.Alg, err)
			}
			priv, err := x509.ParsePKCS8PrivateKey(opened)
			if err != nil || !k.Private.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(priv.(crypto.Signer).Public()) {
				t.Errorf("the stored %s key is not the loaded one (%v)", k.Alg, err)
			}
			var pub jose.JSONWebKey
			if err := json.Unmarshal([]byte(row.PublicJWK), &pub); err != nil || !pub.IsPublic() || pub.KeyID != k.KID {
				t.Errorf("stored public JWK of %s = %s (%v)", k.Alg, row.PublicJWK, err)
			}
		}

		t.Run("another instance loads the same keys", func(t *testing.T) {
			ks2 := loadKeys(t, d, newRing(t, first))
			for _, k := range []*SigningKey{es, rs} {
				if got, err := ks2.Current(k.Alg); err != nil || got.KID != k.KID {
					t.Errorf("second instance's %s key = %v, %v; want %s", k.Alg, got, err, k.KID)
				}
			}
			if n := len(storedKeys(t, d)); n != 2 {
				t.Errorf("%d stored keys after a second Load, want 2", n)
			}
		})
		t.Run("another secret cannot open them", func(t *testing.T) {
			err := newKeySet(d, newRing(t), publishWindow).Load(ctx)
			if !errors.Is(err, secret.ErrOpen) {
				t.Fatalf("Load with another secret: %v, want secret.ErrOpen", err)
			}
			if !strings.Contains(err.Error(), "signing key") {
				t.Errorf("error %q does not say what failed", err)
			}
		})
		t.Run("a rotated secret list still opens them", func(t *testing.T) {
			ks3 := loadKeys(t, d, newRing(t, secret.Generate(), first))
			if got, _ := ks3.Current(ES256); got == nil || got.KID != es.KID {
				t.Fatalf("current key with the old secret second = %v", got)
			}
		})
	})
}

func TestKeySetRotate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ring := newRing(t)
		ks := loadKeys(t, d, ring)
		other := loadKeys(t, d, ring) // another instance
		old, _ := ks.Current(ES256)
		rs, _ := ks.Current(RS256)

		fresh, err := ks.Rotate(ctx, ES256, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fresh.KID == old.KID || fresh.Alg != ES256 {
			t.Fatalf("rotated key = %s %s", fresh.KID, fresh.Alg)
		}
		if cur, _ := ks.Current(ES256); cur.KID != fresh.KID {
			t.Fatalf("current ES256 key = %s, want the new %s", cur.KID, fresh.KID)
		}
		if cur, _ := ks.Current(RS256); cur.KID != rs.KID {
			t.Fatal("rotating ES256 changed the RS256 key")
		}
		retired, err := ks.ByKID(old.KID)
		if err != nil || retired.RetiredAt == nil {
			t.Fatalf("retired key = %+v, %v; want it found and marked retired", retired, err)
		}
		if kids := jwksKIDs(ks); strings.Join(kids, " ") != fresh.KID+" "+rs.KID+" "+old.KID {
			t.Fatalf("JWKS kids = %v, want new, RS256, old (newest first)", kids)
		}

		// The other instance sees the rotation at its next refresh, not before.
		if err := other.Refresh(ctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		if cur, _ := other.Current(ES256); cur.KID != old.KID {
			t.Fatal("a refresh within maxAge reloaded the keys")
		}
		if err := other.Refresh(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if cur, _ := other.Current(ES256); cur.KID != fresh.KID {
			t.Fatalf("other instance's key after refresh = %s, want %s", cur.KID, fresh.KID)
		}

		// A retired key stays published for the window, then goes.
		later := func(ahead time.Duration) *KeySet {
			k := newKeySet(d, ring, publishWindow)
			k.now = func() time.Time { return time.Now().Add(ahead) }
			if err := k.Load(ctx); err != nil {
				t.Fatal(err)
			}
			return k
		}
		if _, err := later(publishWindow - time.Minute).ByKID(old.KID); err != nil {
			t.Fatalf("retired key gone within the window: %v", err)
		}
		gone := later(publishWindow + time.Minute)
		if _, err := gone.ByKID(old.KID); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("retired key after the window: %v, want ErrUnknownKey", err)
		}
		if kids := jwksKIDs(gone); len(kids) != 2 || strings.Contains(strings.Join(kids, " "), old.KID) {
			t.Fatalf("JWKS after the window = %v, want the two current keys", kids)
		}
		// The same happens to a running instance at its refresh.
		ks.now = func() time.Time { return time.Now().Add(publishWindow + time.Minute) }
		if err := ks.Refresh(ctx, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := ks.ByKID(old.KID); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("retired key after the window, running instance: %v", err)
		}
	})
}

func jwksKIDs(ks *KeySet) []string {
	var kids []string
	for _, k := range ks.JWKS().Keys {
		kids = append(kids, k.KeyID)
	}
	return kids
}

func TestJWKSIsPublic(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	ks := loadKeys(t, d, newRing(t))
	set := ks.JWKS()
	if len(set.Keys) != 2 {
		t.Fatalf("%d keys, want 2", len(set.Keys))
	}
	for _, k := range set.Keys {
		if k.KeyID == "" || (k.Algorithm != ES256 && k.Algorithm != RS256) || k.Use != "sig" {
			t.Errorf("key %q: alg %q use %q", k.KeyID, k.Algorithm, k.Use)
		}
		if !k.IsPublic() || !k.Valid() {
			t.Errorf("key %s is not a valid public key", k.KeyID)
		}
		if cur, err := ks.ByKID(k.KeyID); err != nil || cur.Alg != k.Algorithm {
			t.Errorf("published %s is not the set's key (%v)", k.KeyID, err)
		}
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range doc.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, ok := k[private]; ok {
				t.Errorf("published key %v has the private member %q", k["kid"], private)
			}
		}
		for _, member := range []string{"kid", "alg", "use", "kty"} {
			if _, ok := k[member]; !ok {
				t.Errorf("published key %v lacks %q", k["kid"], member)
			}
		}
	}
}

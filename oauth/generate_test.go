package oauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/internal/testcrypto"
)

// TestGenerateKey checks the keys Sésame makes outside tests (the other
// tests draw theirs from a shared pool).
func TestGenerateKey(t *testing.T) {
	t.Parallel()
	es, err := GenerateKey(ES256)
	if k, ok := es.(*ecdsa.PrivateKey); err != nil || !ok || k.Curve != elliptic.P256() {
		t.Errorf("GenerateKey(ES256) = %T, %v; want a P-256 key", es, err)
	}
	rs, err := GenerateKey(RS256)
	if k, ok := rs.(*rsa.PrivateKey); err != nil || !ok || k.N.BitLen() != 2048 {
		t.Errorf("GenerateKey(RS256) = %T, %v; want a 2048-bit RSA key", rs, err)
	}
	if k, err := GenerateKey("HS256"); err == nil {
		t.Errorf("GenerateKey(HS256) = %T, want an error", k)
	}
}

// TestKeySetGenerator: a key set makes its keys with the generator it was
// given, and fails to load when the generator fails.
func TestKeySetGenerator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var asked []string
	made := map[string]crypto.Signer{}
	pool := testcrypto.NewKeys()
	gen := func(alg string) (crypto.Signer, error) {
		asked = append(asked, alg)
		k, err := pool.Generate(alg)
		made[alg] = k
		return k, err
	}
	ks := NewKeySet(dbtest.SQLite(t), newRing(t), time.Hour, WithKeyGenerator(gen))
	if err := ks.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 {
		t.Fatalf("generator asked for %v, want one key per algorithm", asked)
	}
	for _, alg := range []string{ES256, RS256} {
		cur, err := ks.Current(alg)
		type equaler interface {
			Equal(x crypto.PublicKey) bool
		}
		if err != nil || !cur.Private.Public().(equaler).Equal(made[alg].Public()) {
			t.Errorf("current %s key is not the generated one (%v)", alg, err)
		}
	}

	boom := errors.New("no entropy")
	failing := NewKeySet(dbtest.SQLite(t), newRing(t), time.Hour,
		WithKeyGenerator(func(string) (crypto.Signer, error) { return nil, boom }))
	if err := failing.Load(ctx); !errors.Is(err, boom) {
		t.Fatalf("Load with a failing generator = %v, want %v", err, boom)
	}
}

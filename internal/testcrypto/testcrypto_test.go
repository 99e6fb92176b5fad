package testcrypto_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"testing"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/internal/testcrypto"
)

// TestHasher: the test hasher's hashes are argon2id at HashCost, and the
// production hasher verifies them.
func TestHasher(t *testing.T) {
	ctx := context.Background()
	h := testcrypto.NewHasher()
	if h.Cost() != testcrypto.HashCost {
		t.Fatalf("cost %+v, want %+v", h.Cost(), testcrypto.HashCost)
	}
	enc, err := h.Hash(ctx, "Xk7#mP2q")
	if err != nil {
		t.Fatal(err)
	}
	prod := account.NewPasswordHasher(1)
	if ok, err := prod.Verify(ctx, enc, "Xk7#mP2q"); !ok || err != nil {
		t.Fatalf("production Verify(%q) = %v, %v", enc, ok, err)
	}
	if ok, err := prod.Verify(ctx, enc, "Xk7#mP2Q"); ok || err != nil {
		t.Fatalf("production Verify(wrong password) = %v, %v", ok, err)
	}
}

// TestKeys: one Keys never gives the same key twice for an algorithm;
// two Keys give the same keys in the same order.
func TestKeys(t *testing.T) {
	for _, alg := range []string{"ES256", "RS256"} {
		a, b := testcrypto.NewKeys(), testcrypto.NewKeys()
		a1, err1 := a.Generate(alg)
		a2, err2 := a.Generate(alg)
		b1, err3 := b.Generate(alg)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatal(err1, err2, err3)
		}
		type equaler interface {
			Equal(x crypto.PrivateKey) bool
		}
		if a1.(equaler).Equal(a2) {
			t.Errorf("%s: one Keys gave the same key twice", alg)
		}
		if a1 != b1 {
			t.Errorf("%s: two Keys gave different first keys", alg)
		}
		switch k := a1.(type) {
		case *ecdsa.PrivateKey:
			if alg != "ES256" {
				t.Errorf("%s key is a %T", alg, k)
			}
		case *rsa.PrivateKey:
			if alg != "RS256" || k.N.BitLen() != 2048 {
				t.Errorf("%s key is a %d-bit RSA key", alg, k.N.BitLen())
			}
		}
	}
	if _, err := testcrypto.NewKeys().Generate("HS256"); err == nil {
		t.Error("Generate(HS256) did not fail")
	}
}

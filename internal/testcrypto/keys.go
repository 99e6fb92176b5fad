package testcrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"sync"
)

// pool holds the keys made so far in this test binary, by algorithm, in
// the order they were first asked for.
var pool = struct {
	sync.Mutex
	keys map[string][]crypto.Signer
}{keys: map[string][]crypto.Signer{}}

// pooled returns the n-th key of alg of the pool, making it (and any
// before it) when no test asked for it yet.
func pooled(alg string, n int) (crypto.Signer, error) {
	pool.Lock()
	defer pool.Unlock()
	for len(pool.keys[alg]) <= n {
		k, err := generate(alg)
		if err != nil {
			return nil, err
		}
		pool.keys[alg] = append(pool.keys[alg], k)
	}
	return pool.keys[alg][n], nil
}

// generate makes a key as oauth.GenerateKey does.
func generate(alg string) (crypto.Signer, error) {
	switch alg {
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "RS256":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("testcrypto: unsupported signing algorithm %q", alg)
}

// Keys hands out signing keys from the binary's pool: the n-th key it
// gives for an algorithm is the pool's n-th, so the keys one Keys gives
// all differ (a rotation gets a new key), while two Keys, as two test
// databases, give the same keys. It is safe for concurrent use.
type Keys struct {
	mu   sync.Mutex
	next map[string]int
}

// NewKeys returns a Keys that starts at the beginning of the pool.
func NewKeys() *Keys { return &Keys{next: map[string]int{}} }

// Generate returns the next key of alg ("ES256" or "RS256"); it has the
// signature of oauth.KeyGenerator.
func (k *Keys) Generate(alg string) (crypto.Signer, error) {
	k.mu.Lock()
	n := k.next[alg]
	k.next[alg]++
	k.mu.Unlock()
	return pooled(alg, n)
}

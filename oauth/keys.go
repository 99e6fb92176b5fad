package oauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v3"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/secret"
)

// Signing algorithms Sésame issues tokens with. ES256 is the default (about
// 30 µs a signature); RS256 is kept for clients that need it (OIDC requires
// it to be available; about 850 µs a signature).
const (
	ES256 = "ES256"
	RS256 = "RS256"
)

const sealPurpose = "signing-key"

// SigningKey is one key pair of the key set.
type SigningKey struct {
	KID       string
	Alg       string
	Private   crypto.Signer
	CreatedAt time.Time
	// ActivatesAt is when the key starts signing; until then it is only
	// published, so that everyone knows it before tokens carry its kid.
	ActivatesAt time.Time
	// RetiredAt is when a newer key took over (nil: none has).
	RetiredAt *time.Time
}

// jwk returns the private key as a JSON Web Key carrying kid and alg, which
// the signer writes into token headers.
func (k *SigningKey) jwk() *jose.JSONWebKey {
	return &jose.JSONWebKey{Key: k.Private, KeyID: k.KID, Algorithm: k.Alg, Use: "sig"}
}

func (k *SigningKey) publicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.Private.Public(), KeyID: k.KID, Algorithm: k.Alg, Use: "sig"}
}

// KeySet holds the signing keys: one current key per algorithm, and the
// retired keys whose tokens may still be alive, which stay published in the
// JWKS and accepted when validating. It is safe for concurrent use.
type KeySet struct {
	db       *db.DB
	ring     *secret.Ring
	publish  time.Duration // how long a retired key stays published
	now      func() time.Time
	generate KeyGenerator

	mu     sync.RWMutex
	byKID  map[string]*SigningKey
	loaded time.Time
}

// KeyGenerator makes the private key of a new signing key of algorithm alg
// (ES256 or RS256).
type KeyGenerator func(alg string) (crypto.Signer, error)

// KeySetOption configures a KeySet.
type KeySetOption func(*KeySet)

// WithKeyGenerator makes the key set create its keys with gen instead of
// GenerateKey. Tests use it to reuse keys across databases: a 2048-bit RSA
// key takes tens of milliseconds to make. No setting of Sésame leads to it.
func WithKeyGenerator(gen KeyGenerator) KeySetOption {
	return func(ks *KeySet) { ks.generate = gen }
}

// NewKeySet returns a key set stored in d, sealed with ring. Retired keys
// stay published for publish (at least the lifetime of the longest-lived
// signed token).
func NewKeySet(d *db.DB, ring *secret.Ring, publish time.Duration, opts ...KeySetOption) *KeySet {
	ks := &KeySet{db: d, ring: ring, publish: publish, now: time.Now, generate: GenerateKey}
	for _, o := range opts {
		o(ks)
	}
	return ks
}

// Load reads the keys from the database, creating a current key for each
// algorithm that has none.
func (ks *KeySet) Load(ctx context.Context) error {
	for _, alg := range []string{ES256, RS256} {
		if err := ks.ensure(ctx, alg); err != nil {
			return err
		}
	}
	return ks.reload(ctx)
}

type keyRow struct {
	KID         string     `db:"kid"`
	Alg         string     `db:"alg"`
	PrivateKey  string     `db:"private_key"`
	CreatedAt   time.Time  `db:"created_at"`
	ActivatesAt *time.Time `db:"activates_at"`
	RetiredAt   *time.Time `db:"retired_at"`
}

func (ks *KeySet) reload(ctx context.Context) error {
	var rows []keyRow
	err := ks.db.SelectContext(ctx, &rows, ks.db.Rebind(`SELECT kid, alg, private_key, created_at, activates_at, retired_at
		FROM signing_keys WHERE retired_at IS NULL OR retired_at > ?`), ks.now().UTC().Add(-ks.publish))
	if err != nil {
		return fmt.Errorf("oauth: load signing keys: %w", err)
	}
	byKID := make(map[string]*SigningKey, len(rows))
	for _, r := range rows {
		k, err := ks.open(r)
		if err != nil {
			return err
		}
		byKID[k.KID] = k
	}
	ks.mu.Lock()
	ks.byKID, ks.loaded = byKID, ks.now()
	ks.mu.Unlock()
	return nil
}

func (ks *KeySet) open(r keyRow) (*SigningKey, error) {
	der, err := ks.ring.Open(sealPurpose, r.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("oauth: signing key %s: %w", r.KID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("oauth: signing key %s: %w", r.KID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("oauth: signing key %s: unsupported type %T", r.KID, priv)
	}
	k := &SigningKey{KID: r.KID, Alg: r.Alg, Private: signer, CreatedAt: r.CreatedAt, ActivatesAt: r.CreatedAt, RetiredAt: r.RetiredAt}
	if r.ActivatesAt != nil {
		k.ActivatesAt = *r.ActivatesAt
	}
	return k, nil
}

// ensure creates a current key for alg when there is none. Several
// instances starting at once may each create one; the newest wins and the
// others are retired by the next rotation, which is harmless.
func (ks *KeySet) ensure(ctx context.Context, alg string) error {
	var n int
	err := ks.db.GetContext(ctx, &n, ks.db.Rebind(`SELECT COUNT(*) FROM signing_keys WHERE alg = ? AND retired_at IS NULL`), alg)
	if err != nil {
		return fmt.Errorf("oauth: count signing keys: %w", err)
	}
	if n > 0 {
		return nil
	}
	_, err = ks.insert(ctx, alg, 0)
	return err
}

// GenerateKey returns a new private key for alg from crypto/rand: a P-256
// key for ES256, a 2048-bit RSA key for RS256.
func GenerateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RS256:
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("oauth: unsupported signing algorithm %q", alg)
}

func (ks *KeySet) insert(ctx context.Context, alg string, activateAfter time.Duration) (*SigningKey, error) {
	priv, err := ks.generate(alg)
	if err != nil {
		return nil, fmt.Errorf("oauth: generate %s signing key: %w", alg, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("oauth: marshal signing key: %w", err)
	}
	b := make([]byte, 12)
	rand.Read(b)
	now := ks.now().UTC().Truncate(time.Microsecond)
	k := &SigningKey{KID: base64.RawURLEncoding.EncodeToString(b), Alg: alg, Private: priv, CreatedAt: now, ActivatesAt: now.Add(activateAfter)}
	pub, err := json.Marshal(k.publicJWK())
	if err != nil {
		return nil, fmt.Errorf("oauth: marshal public key: %w", err)
	}
	_, err = ks.db.ExecContext(ctx, ks.db.Rebind(`INSERT INTO signing_keys (kid, alg, private_key, public_jwk, created_at, activates_at) VALUES (?, ?, ?, ?, ?, ?)`),
		k.KID, alg, ks.ring.Seal(sealPurpose, der), string(pub), k.CreatedAt, k.ActivatesAt)
	if err != nil {
		return nil, fmt.Errorf("oauth: store signing key: %w", err)
	}
	return k, nil
}

// Rotate creates a new key for alg, published at once and signing after
// activateAfter; the previous key signs until then, and stays published
// while tokens it signed may live. activateAfter should exceed the
// interval at which instances reload keys, so that every instance
// publishes the new key before any token carries it.
func (ks *KeySet) Rotate(ctx context.Context, alg string, activateAfter time.Duration) (*SigningKey, error) {
	var k *SigningKey
	err := ks.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		k, err = ks.rotateTx(ctx, alg, activateAfter)
		return err
	})
	if err != nil {
		return nil, err
	}
	return k, ks.reload(ctx)
}

// rotateTx retires the current keys of alg and inserts the new one, in the
// transaction ctx carries.
func (ks *KeySet) rotateTx(ctx context.Context, alg string, activateAfter time.Duration) (*SigningKey, error) {
	retire := ks.now().UTC().Truncate(time.Microsecond).Add(activateAfter)
	if _, err := ks.db.ExecContext(ctx, ks.db.Rebind(`UPDATE signing_keys SET retired_at = ? WHERE alg = ? AND retired_at IS NULL`), retire, alg); err != nil {
		return nil, fmt.Errorf("oauth: retire signing key: %w", err)
	}
	return ks.insert(ctx, alg, activateAfter)
}

// Refresh reloads the keys when they were loaded more than maxAge ago, so
// that a rotation done by another instance is seen.
func (ks *KeySet) Refresh(ctx context.Context, maxAge time.Duration) error {
	ks.mu.RLock()
	fresh := ks.now().Sub(ks.loaded) < maxAge
	ks.mu.RUnlock()
	if fresh {
		return nil
	}
	return ks.reload(ctx)
}

// Current returns the key that signs new tokens with alg: the newest one
// already active.
func (ks *KeySet) Current(alg string) (*SigningKey, error) {
	now := ks.now()
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	var cur *SigningKey
	for _, k := range ks.byKID {
		if k.Alg == alg && !k.ActivatesAt.After(now) && (cur == nil || k.ActivatesAt.After(cur.ActivatesAt)) {
			cur = k
		}
	}
	if cur == nil {
		return nil, fmt.Errorf("oauth: no current %s signing key", alg)
	}
	return cur, nil
}

// ErrUnknownKey means a token names a key that is not (or no longer) in the set.
var ErrUnknownKey = errors.New("oauth: unknown signing key")

// ByKID returns the key named kid, current or retired.
func (ks *KeySet) ByKID(kid string) (*SigningKey, error) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	k, ok := ks.byKID[kid]
	if !ok {
		return nil, ErrUnknownKey
	}
	return k, nil
}

// JWKS returns the public keys to publish, newest first.
func (ks *KeySet) JWKS() jose.JSONWebKeySet {
	ks.mu.RLock()
	keys := make([]*SigningKey, 0, len(ks.byKID))
	for _, k := range ks.byKID {
		keys = append(keys, k)
	}
	ks.mu.RUnlock()
	sort.Slice(keys, func(i, j int) bool { return keys[i].CreatedAt.After(keys[j].CreatedAt) })
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, len(keys))}
	for i, k := range keys {
		set.Keys[i] = k.publicJWK()
	}
	return set
}

// CurrentKeys returns the keys signing new tokens now, one per algorithm
// that has one (for monitoring their age).
func (ks *KeySet) CurrentKeys() []*SigningKey {
	var out []*SigningKey
	for _, alg := range []string{ES256, RS256} {
		if k, err := ks.Current(alg); err == nil {
			out = append(out, k)
		}
	}
	return out
}

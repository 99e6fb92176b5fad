package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/internal/testcrypto"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/secret"
)

const testIssuer = "https://sesame.example.com"

// publishWindow is how long the test key sets publish a retired key.
const publishWindow = 24 * time.Hour

func newRing(t testing.TB, secrets ...string) *secret.Ring {
	t.Helper()
	if len(secrets) == 0 {
		secrets = []string{secret.Generate()}
	}
	r, err := secret.Parse(strings.Join(secrets, ","))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// dbKeys gives each test database its own sequence of signing keys, drawn
// from the pool the test binary shares: a database's keys all differ, as
// in production, but databases reuse each other's.
var dbKeys sync.Map // *db.DB → *testcrypto.Keys

// newKeySet is NewKeySet with the keys of d's sequence.
func newKeySet(d *db.DB, ring *secret.Ring, publish time.Duration) *KeySet {
	keys, _ := dbKeys.LoadOrStore(d, testcrypto.NewKeys())
	return NewKeySet(d, ring, publish, WithKeyGenerator(keys.(*testcrypto.Keys).Generate))
}

// loadKeys returns a loaded key set on d sealed with ring.
func loadKeys(t testing.TB, d *db.DB, ring *secret.Ring) *KeySet {
	t.Helper()
	ks := newKeySet(d, ring, publishWindow)
	if err := ks.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ks
}

// foreignKey is an ES256 key that is not in any key set, named kid.
func foreignKey(t testing.TB, kid string) *SigningKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &SigningKey{KID: kid, Alg: ES256, Private: priv}
}

// signWith signs claims with k, writing k's kid and alg in the header.
func signWith(t testing.TB, k *SigningKey, claims jwt.MapClaims) string {
	t.Helper()
	raw, err := jwt.NewWithClaims(jose.SignatureAlgorithm(k.Alg), claims).SignedString(k.jwk())
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// header decodes the header of a compact JWT.
func header(t testing.TB, raw string) map[string]any {
	t.Helper()
	h, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatalf("header of %q: %v", raw, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// segment encodes v as a JWT segment.
func segment(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// validation returns the *jwt.ValidationError inside err, or fails.
func validation(t testing.TB, err error) *jwt.ValidationError {
	t.Helper()
	var ve *jwt.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want a *jwt.ValidationError", err, err)
	}
	return ve
}

// fositeConfig is the part of the provider's fosite configuration that
// token generation reads.
func fositeConfig() *fosite.Config {
	return &fosite.Config{
		IDTokenIssuer: testIssuer, AccessTokenIssuer: testIssuer,
		IDTokenLifespan: time.Hour, AccessTokenLifespan: 15 * time.Minute,
		JWTScopeClaimKey: jwt.JWTScopeFieldString,
	}
}

// personSession is the session of a signed-in person as SessionFor builds it.
func personSession(t testing.TB, p *Provider, person Person, clientID string) *Session {
	t.Helper()
	now := time.Now()
	s, err := p.SessionFor(context.Background(), person, clientID, now.Add(-time.Minute), now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	s.Release([]string{ScopeOpenID, ScopeProfile, ScopeEmail}, true)
	return s
}

// request wraps a session as fosite's token endpoint would.
func request(clientID string, s *Session, scopes ...string) *fosite.Request {
	r := fosite.NewRequest()
	r.Client = &fosite.DefaultClient{ID: clientID}
	r.Session = s
	r.Form.Set("grant_type", "authorization_code")
	for _, sc := range scopes {
		r.GrantScope(sc)
	}
	return r
}

// idToken issues an ID token for s as fosite's OpenID Connect handler does.
func idToken(t testing.TB, ks *KeySet, s *Session, clientID string) string {
	t.Helper()
	tok, err := openid.DefaultStrategy{Signer: &signer{keys: ks}, Config: fositeConfig()}.
		GenerateIDToken(context.Background(), time.Hour, request(clientID, s, ScopeOpenID))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// accessToken issues a JWT access token for s as fosite's JWT strategy does.
func accessToken(t testing.TB, ks *KeySet, s *Session, clientID string, scopes ...string) string {
	t.Helper()
	s.SetExpiresAt(fosite.AccessToken, time.Now().Add(15*time.Minute))
	strategy := &oauth2.DefaultJWTStrategy{Signer: &signer{keys: ks}, Config: fositeConfig()}
	tok, _, err := strategy.GenerateAccessToken(context.Background(), request(clientID, s, scopes...))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// rightsOf is a RightsLister over a fixed table: subject → rights.
type rightsOf map[string][]string

func (r rightsOf) Rights(_ context.Context, _, subject string) ([]string, error) {
	return r[subject], nil
}

// newProvider composes a provider over ks on d.
func newProvider(t testing.TB, d *db.DB, ring *secret.Ring, ks *KeySet, rights RightsLister) *Provider {
	t.Helper()
	return New(Config{Issuer: testIssuer, Secrets: ring}, sqlstore.New(d), ks, nil, rights)
}

package productkittest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
)

type signingKey struct {
	kid, alg string
	priv     crypto.Signer
}

// Rotate adds a key of algorithm alg ("ES256" or "RS256"), which signs from
// now on, and returns its key id. Older keys stay published.
func (i *Issuer) Rotate(alg string) string {
	var priv crypto.Signer
	var err error
	switch alg {
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "RS256":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		panic("productkittest: unsupported algorithm " + alg)
	}
	if err != nil {
		panic(err)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	k := &signingKey{kid: fmt.Sprintf("k%d-%s", len(i.keys)+1, randomString(4)), alg: alg, priv: priv}
	i.keys = append(i.keys, k)
	return k.kid
}

// RemoveKey stops publishing kid; tokens it signed no longer verify.
func (i *Issuer) RemoveKey(kid string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for n, k := range i.keys {
		if k.kid == kid {
			i.retired = append(i.retired, k)
			i.keys = append(i.keys[:n], i.keys[n+1:]...)
			return
		}
	}
}

// CurrentKID returns the key id that signs.
func (i *Issuer) CurrentKID() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keys[len(i.keys)-1].kid
}

// Sign signs claims with the key kid ("" for the current key; a removed
// key still signs, as a token minted before its removal would be), with
// the header typ when typ is not empty.
func (i *Issuer) Sign(kid, typ string, claims map[string]any) string {
	i.mu.Lock()
	var k *signingKey
	for _, c := range append(append([]*signingKey(nil), i.retired...), i.keys...) {
		if kid == "" || c.kid == kid {
			k = c
		}
	}
	i.mu.Unlock()
	if k == nil {
		panic("productkittest: no key " + kid)
	}
	return SignWith(k.priv, k.alg, k.kid, typ, claims)
}

// SignWith signs claims with any key, e.g. one the issuer never published.
func SignWith(priv any, alg, kid, typ string, claims map[string]any) string {
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: jose.JSONWebKey{Key: priv, KeyID: kid}}, opts)
	if err != nil {
		panic(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		panic(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return out
}

func (i *Issuer) jwks(w http.ResponseWriter, r *http.Request) {
	i.jwksHits.Add(1)
	i.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range i.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: k.alg, Use: "sig"})
	}
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

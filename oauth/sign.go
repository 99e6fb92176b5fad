package oauth

import (
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v3"
)

// SignJWT signs claims as a compact JWT with the current key of alg (ES256
// unless RS256), whose kid the header names, and the header typ: what
// logout tokens ("logout+jwt") and security event tokens ("secevent+jwt")
// need. The key is one the JWKS publishes.
func (ks *KeySet) SignJWT(alg, typ string, claims map[string]any) (string, error) {
	if alg != RS256 {
		alg = ES256
	}
	k, err := ks.Current(alg)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("oauth: sign %s: %w", typ, err)
	}
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ))
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Alg), Key: k.jwk()}, opts)
	if err != nil {
		return "", fmt.Errorf("oauth: sign %s: %w", typ, err)
	}
	obj, err := sig.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("oauth: sign %s: %w", typ, err)
	}
	return obj.CompactSerialize()
}

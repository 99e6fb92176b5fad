package oauth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite/token/jwt"
)

type signingAlgKey struct{}

// WithSigningAlg returns a context in which tokens are signed with alg
// (ES256 or RS256), the algorithm the requesting client registered.
func WithSigningAlg(ctx context.Context, alg string) context.Context {
	return context.WithValue(ctx, signingAlgKey{}, alg)
}

func signingAlg(ctx context.Context) string {
	if alg, _ := ctx.Value(signingAlgKey{}).(string); alg == RS256 {
		return RS256
	}
	return ES256
}

// keyReloadInterval bounds how often an unknown kid reloads the key set.
const keyReloadInterval = 10 * time.Second

// signer implements fosite's jwt.Signer over a KeySet. Unlike fosite's
// DefaultSigner, which validates with the current key only, it selects the
// verification key by the token's kid, so tokens signed before a rotation
// stay valid while their key is published.
type signer struct {
	keys *KeySet
}

var _ jwt.Signer = (*signer)(nil)

func (s *signer) Generate(ctx context.Context, claims jwt.MapClaims, header jwt.Mapper) (string, string, error) {
	k, err := s.keys.Current(signingAlg(ctx))
	if err != nil {
		return "", "", err
	}
	tok := jwt.NewWithClaims(jose.SignatureAlgorithm(k.Alg), claims)
	if header != nil {
		for name, v := range header.ToMap() {
			if name != "alg" && name != "kid" {
				tok.Header[name] = v
			}
		}
	}
	raw, err := tok.SignedString(k.jwk())
	if err != nil {
		return "", "", fmt.Errorf("oauth: sign token: %w", err)
	}
	return raw, raw[strings.LastIndexByte(raw, '.')+1:], nil
}

func (s *signer) Decode(ctx context.Context, token string) (*jwt.Token, error) {
	return jwt.ParseWithClaims(token, jwt.MapClaims{}, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, err := s.keys.verificationKey(ctx, kid, string(t.Method))
		if err != nil {
			return nil, err
		}
		return k.Private.Public(), nil
	})
}

// errAlgMismatch: a token's algorithm is not its key's.
var errAlgMismatch = errors.New("oauth: token algorithm does not match its key")

// verificationKey returns the key kid names, for a token signed with alg.
// An unknown kid reloads the keys first (another instance may have rotated
// them), at most every keyReloadInterval, so that garbage kids cannot
// hammer the database; a reload's failure is returned as such.
func (ks *KeySet) verificationKey(ctx context.Context, kid, alg string) (*SigningKey, error) {
	k, err := ks.ByKID(kid)
	if errors.Is(err, ErrUnknownKey) && kid != "" {
		if err := ks.Refresh(ctx, keyReloadInterval); err != nil {
			return nil, err
		}
		k, err = ks.ByKID(kid)
	}
	if err != nil {
		return nil, err
	}
	if alg != k.Alg {
		return nil, errAlgMismatch
	}
	return k, nil
}

func (s *signer) Validate(ctx context.Context, token string) (string, error) {
	if _, err := s.Decode(ctx, token); err != nil {
		return "", err
	}
	return s.GetSignature(ctx, token)
}

func (s *signer) GetSignature(_ context.Context, token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", errors.New("oauth: a JWT has three parts")
	}
	return parts[2], nil
}

func (s *signer) Hash(_ context.Context, in []byte) ([]byte, error) {
	sum := sha256.Sum256(in)
	return sum[:], nil
}

func (s *signer) GetSigningMethodLength(context.Context) int { return sha256.Size }

package oauth

import (
	"context"
	"errors"
	"fmt"

	"github.com/ory/fosite/token/jwt"

	"github.com/sesame-idp/sesame/db"
)

// ErrBadHint means an id_token_hint was not an ID token issued here.
var ErrBadHint = errors.New("oauth: invalid id_token_hint")

// IDTokenHint checks an id_token_hint (RP-initiated logout): it must be
// signed by one of Sésame's published keys and issued by this issuer; an
// expired token is accepted, as OpenID Connect allows. It returns the
// token's subject and audience. Any other token gives ErrBadHint; a
// storage failure (reloading the keys) is returned as such.
func (p *Provider) IDTokenHint(ctx context.Context, raw string) (sub string, aud []string, err error) {
	tok, err := (&signer{keys: p.Keys}).Decode(ctx, raw)
	if db.IsStorageFailure(err) {
		return "", nil, fmt.Errorf("oauth: id_token_hint: %w", err)
	}
	var ve *jwt.ValidationError
	if err != nil && !(errors.As(err, &ve) && ve.Errors == jwt.ValidationErrorExpired) {
		return "", nil, ErrBadHint
	}
	if tok == nil {
		return "", nil, ErrBadHint
	}
	if typ, _ := tok.Header["typ"].(string); typ == "at+jwt" {
		return "", nil, ErrBadHint
	}
	claims := tok.Claims
	if iss, _ := claims["iss"].(string); iss != p.cfg.Issuer {
		return "", nil, ErrBadHint
	}
	sub, _ = claims["sub"].(string)
	switch a := claims["aud"].(type) {
	case string:
		aud = []string{a}
	case []any:
		for _, v := range a {
			if s, ok := v.(string); ok {
				aud = append(aud, s)
			}
		}
	}
	if sub == "" || len(aud) == 0 {
		return "", nil, ErrBadHint
	}
	return sub, aud, nil
}

package productkit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Errors of token verification. Every one of them wraps ErrInvalidToken.
var (
	ErrInvalidToken     = errors.New("productkit: invalid token")
	ErrMalformedToken   = fmt.Errorf("%w: malformed", ErrInvalidToken)
	ErrExpiredToken     = fmt.Errorf("%w: expired", ErrInvalidToken)
	ErrNotAccessToken   = fmt.Errorf("%w: not an access token", ErrInvalidToken)
	ErrNotIDToken       = fmt.Errorf("%w: not an ID token", ErrInvalidToken)
	ErrNonceMismatch    = fmt.Errorf("%w: nonce mismatch", ErrInvalidToken)
	ErrSubjectMismatch  = fmt.Errorf("%w: subject changed", ErrInvalidToken)
	errMissingClientID  = fmt.Errorf("%w: no client_id", ErrNotAccessToken)
	errMissingSubject   = fmt.Errorf("%w: no sub", ErrInvalidToken)
	errUnacceptedHeader = fmt.Errorf("%w: unaccepted header", ErrMalformedToken)
)

// tokenKind is what a token must be to pass.
type tokenKind int

const (
	kindAccess tokenKind = iota
	kindID
)

// claims are the claims of DESIGN.md §3 that ID and access tokens carry.
type claims struct {
	Sub           string          `json:"sub"`
	Email         string          `json:"email"`
	EmailVerified bool            `json:"email_verified"`
	Name          string          `json:"name"`
	AccountID     string          `json:"account_id"`
	Rights        []string        `json:"rights"`
	ClientID      string          `json:"client_id"`
	Scope         json.RawMessage `json:"scope"`
	JTI           string          `json:"jti"`
	Nonce         string          `json:"nonce"`
	SID           string          `json:"sid"`
	IssuedAt      float64         `json:"iat"`
	ACR           string          `json:"acr"`
	AMR           []string        `json:"amr"`
	AuthTime      float64         `json:"auth_time"`
}

// issuedAt returns the iat claim (zero when absent).
func (c *claims) issuedAt() time.Time {
	if c.IssuedAt <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(c.IssuedAt), 0)
}

func (c *claims) identity() Identity {
	rights := c.Rights
	if rights == nil {
		rights = []string{}
	}
	return Identity{Sub: c.Sub, AccountID: c.AccountID, Email: c.Email, Name: c.Name, Rights: rights}
}

// scopes reads "scope" as a space-separated string (RFC 9068) or a list.
func (c *claims) scopes() []string {
	if len(c.Scope) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(c.Scope, &s) == nil {
		return strings.Fields(s)
	}
	var list []string
	if json.Unmarshal(c.Scope, &list) == nil {
		return list
	}
	return nil
}

// verifier checks tokens of the issuer for one audience. It caches one
// go-oidc verifier built over the issuer's rate-limited key set.
type verifier struct {
	issuer   *Issuer
	audience string

	once sync.Once
	v    *oidc.IDTokenVerifier
}

// verify checks raw: header (algorithm, typ), signature, issuer, audience
// and expiry; then the claims every token of Sésame carries.
func (v *verifier) verify(ctx context.Context, raw string, kind tokenKind) (*oidc.IDToken, *claims, error) {
	// Reject what is not a well-formed JWS of an accepted algorithm and
	// type before anything may cause a JWKS fetch.
	if err := v.checkHeader(raw, kind); err != nil {
		return nil, nil, err
	}
	_, keys, err := v.issuer.load(ctx)
	if err != nil {
		return nil, nil, err
	}
	v.once.Do(func() {
		v.v = oidc.NewVerifier(v.issuer.url, keys, &oidc.Config{
			ClientID:             v.audience,
			SupportedSigningAlgs: v.issuer.algs,
			Now:                  v.issuer.now,
		})
	})
	tok, err := v.v.Verify(ctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return nil, nil, fmt.Errorf("%w at %s", ErrExpiredToken, expired.Expiry.UTC().Format(time.RFC3339))
		}
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	var c claims
	if err := tok.Claims(&c); err != nil {
		return nil, nil, fmt.Errorf("%w: claims: %v", ErrMalformedToken, err)
	}
	if c.Sub == "" {
		return nil, nil, errMissingSubject
	}
	if kind == kindAccess && c.ClientID == "" {
		return nil, nil, errMissingClientID
	}
	return tok, &c, nil
}

// checkHeader reads the JWS header only: three base64url parts, an
// accepted algorithm, and the right type. An access token must declare typ
// "at+jwt" (RFC 9068 §2.1); an ID token must not, so that neither can pass
// for the other. go-jose parses the token fully afterwards; this early
// gate is cheap and keeps garbage away from the key set.
func (v *verifier) checkHeader(raw string, kind tokenKind) error {
	if len(raw) > maxTokenSize {
		return fmt.Errorf("%w: too long", ErrMalformedToken)
	}
	h64, rest, ok := strings.Cut(raw, ".")
	if !ok || strings.Count(rest, ".") != 1 {
		return fmt.Errorf("%w: want three parts", errUnacceptedHeader)
	}
	hj, err := base64.RawURLEncoding.DecodeString(h64)
	if err != nil {
		return fmt.Errorf("%w: header encoding", errUnacceptedHeader)
	}
	var h struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}
	if err := json.Unmarshal(hj, &h); err != nil {
		return fmt.Errorf("%w: header: %v", errUnacceptedHeader, err)
	}
	if !slices.Contains(v.issuer.algs, h.Alg) {
		return fmt.Errorf("%w: algorithm %q", errUnacceptedHeader, h.Alg)
	}
	isAT := strings.EqualFold(h.Typ, "at+jwt") || strings.EqualFold(h.Typ, "application/at+jwt")
	switch {
	case kind == kindAccess && !isAT:
		return fmt.Errorf("%w: typ %q", ErrNotAccessToken, h.Typ)
	case kind == kindID && isAT:
		return fmt.Errorf("%w: typ %q", ErrNotIDToken, h.Typ)
	}
	return nil
}

// maxTokenSize bounds the tokens parsed: Sésame's tokens are a few KiB.
const maxTokenSize = 16 << 10

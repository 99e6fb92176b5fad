package productkit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// GuardConfig configures a Guard.
type GuardConfig struct {
	// Issuer is Sésame. Required.
	Issuer *Issuer
	// Audience is the value a token's "aud" must contain, usually the
	// product's client ID: Sésame puts the client's own ID in the audience
	// of the tokens it issues to that client. Required.
	Audience string
	// Logger receives the reasons of refusals (never the token). Defaults
	// to slog.Default().
	Logger *slog.Logger
	// Revocations is the store where the product's Receiver records what
	// Sésame pushes. With it, a token whose session ended, whose person was
	// ended after it was issued, or whose rights changed after it was
	// issued, is refused (ErrRevokedToken): the client renews it and gets
	// the current rights. Optional.
	Revocations RevocationStore
}

// AccessToken is a verified JWT access token (RFC 9068).
type AccessToken struct {
	Identity
	ClientID string
	Scopes   []string
	Audience []string
	JTI      string
	Expiry   time.Time
	// SID is Sésame's session the token was issued in ("" for a client
	// acting for itself), IssuedAt its iat.
	SID      string
	IssuedAt time.Time
}

// HasScope reports whether the token was granted scope.
func (t *AccessToken) HasScope(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// Guard verifies bearer access tokens on a product's API.
type Guard struct {
	v     *verifier
	log   *slog.Logger
	store RevocationStore
}

// ErrRevokedToken means a token's session ended, its person was ended, or
// its rights changed, after it was issued.
var ErrRevokedToken = fmt.Errorf("%w: revoked", ErrInvalidToken)

// ErrRevocationsUnavailable means the revocation store could not be read:
// whether the token still stands is unknown.
var ErrRevocationsUnavailable = errors.New("productkit: revocation store unavailable")

// NewGuard returns a Guard. It does not contact Sésame.
func NewGuard(cfg GuardConfig) (*Guard, error) {
	if cfg.Issuer == nil {
		return nil, errors.New("productkit: guard needs an issuer")
	}
	if cfg.Audience == "" {
		return nil, errors.New("productkit: guard needs an expected audience")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Guard{v: &verifier{issuer: cfg.Issuer, audience: cfg.Audience}, log: log, store: cfg.Revocations}, nil
}

// Verify checks raw as an access token: accepted algorithm (never "none"
// or HS*), typ "at+jwt", signature by a key Sésame publishes, issuer,
// audience, expiry, and the presence of sub and client_id; then, with a
// revocation store, that Sésame did not end or change it since
// (ErrRevokedToken). Every failure wraps ErrInvalidToken; a network
// failure reaching Sésame wraps ErrDiscovery or is a fetch error, a
// failure of the store wraps ErrRevocationsUnavailable.
func (g *Guard) Verify(ctx context.Context, raw string) (*AccessToken, error) {
	tok, c, err := g.v.verify(ctx, raw, kindAccess)
	if err != nil {
		return nil, err
	}
	if g.store != nil {
		rev, err := g.store.Lookup(ctx, c.Sub, c.SID)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRevocationsUnavailable, err)
		}
		if rev.TokenRefused(c.issuedAt(), c.identity().Rights) {
			return nil, ErrRevokedToken
		}
	}
	return &AccessToken{
		SID:      c.SID,
		IssuedAt: c.issuedAt(),
		Identity: c.identity(),
		ClientID: c.ClientID,
		Scopes:   c.scopes(),
		Audience: tok.Audience,
		JTI:      c.JTI,
		Expiry:   tok.Expiry,
	}, nil
}

// Middleware verifies the bearer token of every request. A request with a
// valid token continues with its Identity (IdentityFrom) and AccessToken
// (AccessTokenFrom) in the context; any other gets a JSON 401
// {"error":"unauthorized",...} with a WWW-Authenticate header, or a JSON
// 503 when Sésame cannot be reached to learn its keys. Require placed after
// it answers in JSON too.
func (g *Guard) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(answerKey, answerer(apiAnswer{}))
		raw, ok := bearer(c.GetHeader("Authorization"))
		if !ok {
			c.Header("WWW-Authenticate", `Bearer`)
			apiAnswer{}.unauthorized(c)
			return
		}
		at, err := g.Verify(c.Request.Context(), raw)
		if err != nil {
			if errors.Is(err, ErrDiscovery) || errors.Is(err, ErrRevocationsUnavailable) {
				g.log.WarnContext(c.Request.Context(), "productkit: cannot reach the issuer", "err", err)
				apiAnswer{}.unavailable(c)
				return
			}
			g.log.InfoContext(c.Request.Context(), "productkit: bearer token refused", "err", err)
			c.Header("WWW-Authenticate", `Bearer error="invalid_token"`)
			apiAnswer{}.unauthorized(c)
			return
		}
		c.Set(identityKey, at.Identity)
		c.Set(accessTokenKey, at)
		c.Next()
	}
}

// bearer extracts the token of an "Authorization: Bearer …" header.
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// sameRights reports whether a and b hold the same rights, in any order.
func sameRights(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/secret"
)

// Scopes Sésame knows. The last two are Sésame's own APIs.
const (
	ScopeOpenID        = "openid"
	ScopeProfile       = "profile"
	ScopeEmail         = "email"
	ScopeOfflineAccess = "offline_access"
	ScopeMembers       = "sesame:members"
	ScopeAuthz         = "sesame:authz"
)

// Person is what the provider needs to know of a signed-in person: one
// person in one account.
type Person struct {
	Subject   string
	AccountID string
	Email     string
	Name      string
}

// ErrInactive means the person may no longer hold tokens (disabled,
// deleted, or still invited).
var ErrInactive = errors.New("oauth: person is not active")

// People finds people by subject. It returns ErrInactive (or a not-found
// error) for someone who may no longer sign in.
type People interface {
	Person(ctx context.Context, subject string) (Person, error)
}

// RightsLister gives the rights a person holds in an account now.
type RightsLister interface {
	Rights(ctx context.Context, accountID, subject string) ([]string, error)
}

// Config holds the provider's settings.
type Config struct {
	Issuer          string
	Secrets         *secret.Ring
	AccessTokenTTL  time.Duration // default 15 min
	IDTokenTTL      time.Duration // default 1 h
	RefreshTokenTTL time.Duration // default 30 days
	CodeTTL         time.Duration // default 5 min
	// Logger receives the endpoints' failures; slog.Default() when nil.
	Logger *slog.Logger
	// OnToken, when set, is told of every token response: the grant type
	// and the client (for metrics).
	OnToken func(grantType, clientID string)
}

func (c *Config) defaults() {
	if c.AccessTokenTTL == 0 {
		c.AccessTokenTTL = 15 * time.Minute
	}
	if c.IDTokenTTL == 0 {
		c.IDTokenTTL = time.Hour
	}
	if c.RefreshTokenTTL == 0 {
		c.RefreshTokenTTL = 30 * 24 * time.Hour
	}
	if c.CodeTTL == 0 {
		c.CodeTTL = 5 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Provider is the composed OpenID Connect provider.
type Provider struct {
	OAuth2 fosite.OAuth2Provider
	Store  *sqlstore.Store
	Keys   *KeySet

	cfg    Config
	log    *slog.Logger
	people People
	rights RightsLister
	tokens *tokenVerifier
}

// New composes the provider. Only the grants of DESIGN.md are enabled:
// authorization code with PKCE (S256), refresh tokens with rotation,
// client credentials; no implicit or password grant.
func New(cfg Config, store *sqlstore.Store, keys *KeySet, people People, rights RightsLister) *Provider {
	cfg.defaults()
	fc := &fosite.Config{
		IDTokenIssuer:            cfg.Issuer,
		AccessTokenIssuer:        cfg.Issuer,
		TokenURL:                 cfg.Issuer + PathToken,
		AccessTokenLifespan:      cfg.AccessTokenTTL,
		IDTokenLifespan:          cfg.IDTokenTTL,
		RefreshTokenLifespan:     cfg.RefreshTokenTTL,
		AuthorizeCodeLifespan:    cfg.CodeTTL,
		GlobalSecret:             cfg.Secrets.Key("oauth-hmac"),
		RotatedGlobalSecrets:     cfg.Secrets.Keys("oauth-hmac")[1:],
		ScopeStrategy:            fosite.ExactScopeStrategy,
		AudienceMatchingStrategy: fosite.ExactAudienceMatchingStrategy,
		// Which client must use PKCE is decided per client (pkce.go).
		EnforcePKCE:                    false,
		EnforcePKCEForPublicClients:    true,
		EnablePKCEPlainChallengeMethod: false,
		ClientSecretsHasher:            sqlstore.SHA256Hasher{},
		JWTScopeClaimKey:               jwt.JWTScopeFieldString,
		RefreshTokenScopes:             []string{ScopeOfflineAccess, "offline"},
		SendDebugMessagesToClients:     false,
		AllowedPromptValues:            []string{"login", "none", "consent", "select_account"},
	}
	sign := &signer{keys: keys}
	hmacStrategy := compose.NewOAuth2HMACStrategy(fc)
	strategy := &compose.CommonStrategy{
		CoreStrategy:               &oauth2.DefaultJWTStrategy{Signer: sign, HMACSHAStrategy: hmacStrategy, Config: fc},
		OpenIDConnectTokenStrategy: &openid.DefaultStrategy{Signer: sign, Config: fc},
		Signer:                     sign,
	}
	provider := compose.Compose(fc, store, strategy,
		requirePKCEFactory, // before any code is stored
		compose.OAuth2AuthorizeExplicitFactory,
		pkceFactory,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OpenIDConnectExplicitFactory,
		compose.OpenIDConnectRefreshFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2TokenRevocationFactory,
	)
	return &Provider{OAuth2: asciiErrors{provider}, Store: store, Keys: keys, cfg: cfg, log: cfg.Logger, people: people, rights: rights,
		tokens: newTokenVerifier(keys, store, provider, cfg.Logger)}
}

// SessionFor builds the session of an authorization request for person:
// authTime is when the person signed in at Sésame, requestedAt when the
// request first reached the authorize endpoint (before any login step).
func (p *Provider) SessionFor(ctx context.Context, person Person, clientID string, authTime, requestedAt time.Time) (*Session, error) {
	s := NewSession()
	s.Subject = person.Subject
	s.ClientID = clientID
	if err := p.fill(ctx, s, person); err != nil {
		return nil, err
	}
	s.Claims.Issuer = p.cfg.Issuer
	s.Claims.AuthTime = authTime.UTC().Truncate(time.Second)
	s.Claims.RequestedAt = requestedAt.UTC()
	return s, nil
}

// fill writes the person's current claims and rights into s.
func (p *Provider) fill(ctx context.Context, s *Session, person Person) error {
	rights, err := p.rights.Rights(ctx, person.AccountID, person.Subject)
	if err != nil {
		return fmt.Errorf("oauth: rights of %s: %w", person.Subject, err)
	}
	s.AccountID = person.AccountID
	s.Email = person.Email
	// Owners are created with a checked email and login accounts prove
	// theirs by following the invitation link.
	s.EmailVerified = true
	s.Name = person.Name
	s.Rights = rights
	s.refreshIDClaims()
	return nil
}

// clientAlg returns the algorithm a client's tokens are signed with.
func clientAlg(c fosite.Client) string {
	if a, ok := c.(interface{ IDTokenAlg() string }); ok && a.IDTokenAlg() == RS256 {
		return RS256
	}
	return ES256
}

package productkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// DefaultAlgorithms are the signature algorithms accepted when
// IssuerConfig.Algorithms is empty: Sésame signs with ES256 by default and
// keeps RS256 available.
var DefaultAlgorithms = []string{"ES256", "RS256"}

// IssuerConfig configures an Issuer.
type IssuerConfig struct {
	// URL is the issuer identifier, e.g. "https://login.example.cm". The
	// discovery document is read from URL + "/.well-known/openid-configuration"
	// and its "issuer" must equal URL.
	URL string
	// HTTPClient talks to Sésame. Defaults to a client with a 10 s timeout.
	HTTPClient *http.Client
	// Algorithms lists the accepted signature algorithms. "none" and the
	// HMAC algorithms (HS*) are refused. Defaults to DefaultAlgorithms.
	Algorithms []string
	// KeysMaxAge is how long fetched keys are trusted before the next token
	// verification fetches the JWKS again, so that a key Sésame removed
	// stops being accepted. Defaults to 10 minutes.
	KeysMaxAge time.Duration
	// KeysMinInterval is the shortest time between two JWKS fetches, however
	// many tokens with unknown key ids arrive. Defaults to 10 seconds.
	KeysMinInterval time.Duration
	// Now gives the time. Defaults to time.Now.
	Now func() time.Time
}

// Discovery is the part of Sésame's discovery document a product uses.
type Discovery struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	UserinfoEndpoint      string   `json:"userinfo_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	EndSessionEndpoint    string   `json:"end_session_endpoint"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	IntrospectionEndpoint string   `json:"introspection_endpoint"`
	ScopesSupported       []string `json:"scopes_supported"`
}

// Issuer is Sésame as seen by a product: its discovery document and its
// signing keys, both loaded on first use and cached. A product starts even
// when Sésame is not reachable yet; a failed discovery is retried at most
// once per discoveryRetry.
type Issuer struct {
	url    string
	client *http.Client
	now    func() time.Time
	algs   []string

	keysMaxAge      time.Duration
	keysMinInterval time.Duration

	mu       sync.Mutex
	disc     *Discovery
	keys     *keySet
	lastErr  error
	lastTry  time.Time
	provider *oidc.Provider
}

// discoveryRetry is the shortest time between two failed discovery attempts.
const discoveryRetry = 2 * time.Second

// ErrDiscovery means Sésame's discovery document could not be loaded.
var ErrDiscovery = errors.New("productkit: discovery failed")

// NewIssuer checks cfg and returns an Issuer. It does not contact Sésame.
func NewIssuer(cfg IssuerConfig) (*Issuer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("productkit: issuer URL %q must be an absolute http(s) URL", cfg.URL)
	}
	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = DefaultAlgorithms
	}
	for _, a := range algs {
		if strings.EqualFold(a, "none") || strings.HasPrefix(strings.ToUpper(a), "HS") || !supportedAlg(a) {
			return nil, fmt.Errorf("productkit: signature algorithm %q is not accepted", a)
		}
	}
	i := &Issuer{
		url:             strings.TrimSuffix(cfg.URL, "/"),
		client:          cfg.HTTPClient,
		now:             cfg.Now,
		algs:            append([]string(nil), algs...),
		keysMaxAge:      cfg.KeysMaxAge,
		keysMinInterval: cfg.KeysMinInterval,
	}
	if i.client == nil {
		i.client = &http.Client{Timeout: 10 * time.Second}
	}
	i.client = withPropagation(i.client)
	if i.now == nil {
		i.now = time.Now
	}
	if i.keysMaxAge <= 0 {
		i.keysMaxAge = 10 * time.Minute
	}
	if i.keysMinInterval <= 0 {
		i.keysMinInterval = 10 * time.Second
	}
	return i, nil
}

// supportedAlg reports whether a is an asymmetric algorithm go-jose verifies.
func supportedAlg(a string) bool {
	switch a {
	case "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA":
		return true
	}
	return false
}

// URL returns the issuer identifier.
func (i *Issuer) URL() string { return i.url }

// Discover returns the discovery document, loading it on first use.
func (i *Issuer) Discover(ctx context.Context) (*Discovery, error) {
	d, _, err := i.load(ctx)
	return d, err
}

// load returns the discovery document and the key set.
func (i *Issuer) load(ctx context.Context) (*Discovery, *keySet, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.disc != nil {
		return i.disc, i.keys, nil
	}
	if i.lastErr != nil && i.now().Sub(i.lastTry) < discoveryRetry {
		return nil, nil, i.lastErr
	}
	i.lastTry = i.now()
	// go-oidc checks that the document's issuer equals the URL asked for.
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, i.client), i.url)
	if err != nil {
		i.lastErr = fmt.Errorf("%w: %s: %v", ErrDiscovery, i.url, err)
		return nil, nil, i.lastErr
	}
	var d Discovery
	if err := p.Claims(&d); err != nil {
		i.lastErr = fmt.Errorf("%w: %s: %v", ErrDiscovery, i.url, err)
		return nil, nil, i.lastErr
	}
	if d.JWKSURI == "" || d.TokenEndpoint == "" || d.AuthorizationEndpoint == "" {
		i.lastErr = fmt.Errorf("%w: %s: jwks_uri, token_endpoint or authorization_endpoint missing", ErrDiscovery, i.url)
		return nil, nil, i.lastErr
	}
	i.provider = p
	i.disc = &d
	i.keys = newKeySet(d.JWKSURI, i.client, i.now, i.keysMaxAge, i.keysMinInterval, i.algs)
	i.lastErr = nil
	return i.disc, i.keys, nil
}

// JWKSFetches returns how many times the JWKS has been fetched, for
// monitoring.
func (i *Issuer) JWKSFetches() int64 {
	i.mu.Lock()
	ks := i.keys
	i.mu.Unlock()
	if ks == nil {
		return 0
	}
	return ks.fetches.Load()
}

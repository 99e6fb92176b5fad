package productkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/sync/singleflight"
)

// CheckPath is the path of Sésame's check API under the issuer URL.
const CheckPath = "/api/v1/authz/check"

// ScopeAuthz is the scope a product's client-credentials token needs to
// call the check API.
const ScopeAuthz = "sesame:authz"

// CheckerConfig configures a Checker.
type CheckerConfig struct {
	// Issuer is Sésame. Required.
	Issuer *Issuer
	// ClientID and ClientSecret authenticate the product at the token
	// endpoint (client credentials grant, scope sesame:authz). Required.
	ClientID, ClientSecret string
	// Endpoint is the check API. Defaults to Issuer.URL() + CheckPath.
	Endpoint string
	// CacheTTL is how long a decision (allowed or not) is reused. Defaults
	// to 5 s; a negative value disables the cache.
	CacheTTL time.Duration
	// CacheSize bounds the number of decisions kept. Defaults to 10,000.
	CacheSize int
	// Revocations is the store where the product's Receiver records what
	// Sésame pushes. With it, a cached decision about a person is not
	// reused once Sésame reported that the person's rights changed or that
	// the person was ended. Optional.
	Revocations RevocationStore
}

// Checker asks Sésame's check API whether a person may do something now.
// It holds one client-credentials token (renewed before it expires),
// caches decisions for CacheTTL keyed by sub, account, right and resource,
// and merges concurrent identical questions into one call.
type Checker struct {
	issuer   *Issuer
	cfg      CheckerConfig
	endpoint string

	flight singleflight.Group

	mu     sync.Mutex
	tokens oauth2.TokenSource
	cache  map[string]decision
}

type decision struct {
	allowed bool
	expires time.Time
}

// ErrCheck means the check API did not give a decision.
var ErrCheck = errors.New("productkit: check API failed")

// NewChecker returns a Checker. It does not contact Sésame.
func NewChecker(cfg CheckerConfig) (*Checker, error) {
	if cfg.Issuer == nil || cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("productkit: checker needs an issuer, a client ID and a client secret")
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 5 * time.Second
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 10000
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = cfg.Issuer.URL() + CheckPath
	}
	return &Checker{issuer: cfg.Issuer, cfg: cfg, endpoint: endpoint, cache: map[string]decision{}}, nil
}

// checkRequest is the body of DESIGN.md §3's check API.
type checkRequest struct {
	Sub       string `json:"sub"`
	AccountID string `json:"account_id"`
	Right     string `json:"right"`
	Resource  string `json:"resource"`
}

// Check reports whether sub, in accountID, may perform right
// ("product:action") on resource ("" for none).
func (ch *Checker) Check(ctx context.Context, sub, accountID, right, resource string) (bool, error) {
	key := sub + "\x00" + accountID + "\x00" + right + "\x00" + resource
	if ch.cfg.Revocations != nil {
		// The latest events about sub are part of the key: a decision
		// cached before Sésame reported a change is not found again.
		rev, err := ch.cfg.Revocations.Lookup(ctx, sub, "")
		if err != nil {
			return false, fmt.Errorf("%w: %w: %v", ErrCheck, ErrRevocationsUnavailable, err)
		}
		key += "\x00" + strconv.FormatInt(rev.ClaimsChangedAt.Unix(), 10) + "\x00" + strconv.FormatInt(rev.SubjectEndedAt.Unix(), 10)
	}
	if d, ok := ch.cached(key); ok {
		return d, nil
	}
	v, err, _ := ch.flight.Do(key, func() (any, error) {
		allowed, err := ch.ask(ctx, checkRequest{Sub: sub, AccountID: accountID, Right: right, Resource: resource})
		if err != nil {
			return false, err
		}
		ch.store(key, allowed)
		return allowed, nil
	})
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

func (ch *Checker) cached(key string) (bool, bool) {
	if ch.cfg.CacheTTL < 0 {
		return false, false
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	d, ok := ch.cache[key]
	if !ok || !ch.issuer.now().Before(d.expires) {
		return false, false
	}
	return d.allowed, true
}

func (ch *Checker) store(key string, allowed bool) {
	if ch.cfg.CacheTTL < 0 {
		return
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	now := ch.issuer.now()
	if len(ch.cache) >= ch.cfg.CacheSize {
		for k, d := range ch.cache {
			if !now.Before(d.expires) {
				delete(ch.cache, k)
			}
		}
		// Still full of live decisions: drop some at random (map order).
		for k := range ch.cache {
			if len(ch.cache) < ch.cfg.CacheSize*9/10 {
				break
			}
			delete(ch.cache, k)
		}
	}
	ch.cache[key] = decision{allowed: allowed, expires: now.Add(ch.cfg.CacheTTL)}
}

// ask calls the check API, renewing the product's token once if Sésame
// no longer accepts it.
func (ch *Checker) ask(ctx context.Context, req checkRequest) (bool, error) {
	body, _ := json.Marshal(req)
	for attempt := 0; ; attempt++ {
		ts, err := ch.tokenSource(ctx)
		if err != nil {
			return false, err
		}
		tok, err := ts.Token()
		if err != nil {
			return false, fmt.Errorf("%w: token: %v", ErrCheck, err)
		}
		allowed, status, err := ch.post(ctx, tok.AccessToken, body)
		if status == http.StatusUnauthorized && attempt == 0 {
			ch.mu.Lock()
			ch.tokens = nil
			ch.mu.Unlock()
			continue
		}
		return allowed, err
	}
}

func (ch *Checker) post(ctx context.Context, token string, body []byte) (allowed bool, status int, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.endpoint, bytes.NewReader(body))
	if err != nil {
		return false, 0, fmt.Errorf("%w: %v", ErrCheck, err)
	}
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	resp, err := ch.issuer.client.Do(r)
	if err != nil {
		return false, 0, fmt.Errorf("%w: %v", ErrCheck, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return false, resp.StatusCode, fmt.Errorf("%w: status %d", ErrCheck, resp.StatusCode)
	}
	var out struct {
		Allowed *bool `json:"allowed"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Allowed == nil {
		return false, resp.StatusCode, fmt.Errorf("%w: unexpected answer", ErrCheck)
	}
	return *out.Allowed, resp.StatusCode, nil
}

// tokenSource returns the product's client-credentials token source,
// built on first use from the discovered token endpoint.
func (ch *Checker) tokenSource(ctx context.Context) (oauth2.TokenSource, error) {
	ch.mu.Lock()
	ts := ch.tokens
	ch.mu.Unlock()
	if ts != nil {
		return ts, nil
	}
	d, err := ch.issuer.Discover(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCheck, err)
	}
	cc := &clientcredentials.Config{
		ClientID:     ch.cfg.ClientID,
		ClientSecret: ch.cfg.ClientSecret,
		TokenURL:     d.TokenEndpoint,
		Scopes:       []string{ScopeAuthz},
		AuthStyle:    oauth2.AuthStyleInHeader, // client_secret_basic, as oauthConfig
	}
	// The token source outlives this request: it must not carry its
	// cancellation.
	base := context.WithValue(context.Background(), oauth2.HTTPClient, ch.issuer.client)
	ts = cc.TokenSource(base)
	ch.mu.Lock()
	if ch.tokens == nil {
		ch.tokens = ts
	}
	ts = ch.tokens
	ch.mu.Unlock()
	return ts, nil
}

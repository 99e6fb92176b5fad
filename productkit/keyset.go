package productkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// keySet is an oidc.KeySet over Sésame's JWKS that cannot be turned into a
// fetch storm. go-oidc's RemoteKeySet refetches the JWKS for every token
// whose key id it does not know, so a stream of garbage tokens with random
// key ids makes the product fetch the JWKS once per token. keySet fetches
// only when the token's key id is unknown (or the keys are older than
// maxAge), never more than once per minInterval, and one fetch at a time.
// A token whose key id is known but whose signature does not verify is
// rejected without a fetch.
type keySet struct {
	url         string
	client      *http.Client
	now         func() time.Time
	maxAge      time.Duration
	minInterval time.Duration
	algs        []jose.SignatureAlgorithm

	fetches atomic.Int64

	mu        sync.Mutex
	keys      []jose.JSONWebKey
	fetchedAt time.Time // last successful fetch
	triedAt   time.Time // last attempt
	inflight  chan struct{}
}

var _ oidc.KeySet = (*keySet)(nil)

// maxJWKSSize bounds the JWKS document read from Sésame.
const maxJWKSSize = 1 << 20

// Errors of signature verification.
var (
	// errUnknownKey means no published key matches the token's key id.
	errUnknownKey = errors.New("productkit: no published key for this token")
	// errBadSignature means a published key matches but the signature
	// does not verify.
	errBadSignature = errors.New("productkit: signature does not verify")
	// errKeysUnavailable means the JWKS could not be fetched.
	errKeysUnavailable = errors.New("productkit: key set unavailable")
	// errKeysNotFresh means the key id is unknown and the JWKS was fetched
	// too recently to be fetched again: a key Sésame published a moment
	// ago may be missing.
	errKeysNotFresh = fmt.Errorf("%w (the key set was fetched moments ago)", errUnknownKey)
)

func newKeySet(url string, client *http.Client, now func() time.Time, maxAge, minInterval time.Duration, algs []string) *keySet {
	ks := &keySet{url: url, client: client, now: now, maxAge: maxAge, minInterval: minInterval}
	for _, a := range algs {
		ks.algs = append(ks.algs, jose.SignatureAlgorithm(a))
	}
	return ks
}

// VerifySignature verifies jwt against the published keys and returns its
// payload.
func (ks *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSigned(jwt, ks.algs)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedToken, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("%w: want exactly one signature", ErrMalformedToken)
	}
	kid := jws.Signatures[0].Header.KeyID

	keys, stale := ks.cached()
	if stale {
		if fresh, _, err := ks.refresh(ctx); err == nil {
			keys = fresh
		}
	}
	if payload, found, err := verifyWith(jws, keys, kid); found {
		return payload, err
	}
	fresh, fetched, err := ks.refresh(ctx)
	if err != nil {
		return nil, err
	}
	if payload, found, err := verifyWith(jws, fresh, kid); found {
		return payload, err
	}
	if !fetched {
		return nil, errKeysNotFresh
	}
	return nil, errUnknownKey
}

// verifyWith tries the keys matching kid (every key when the token names
// none). found reports whether any key was a candidate.
func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid string) (payload []byte, found bool, err error) {
	for i := range keys {
		k := &keys[i]
		if kid != "" && k.KeyID != kid {
			continue
		}
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		found = true
		if p, err := jws.Verify(k); err == nil {
			return p, true, nil
		}
	}
	if found {
		return nil, true, errBadSignature
	}
	return nil, false, nil
}

// cached returns the keys held and whether they are older than maxAge.
func (ks *keySet) cached() ([]jose.JSONWebKey, bool) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.keys, ks.fetchedAt.IsZero() || ks.now().Sub(ks.fetchedAt) >= ks.maxAge
}

// refresh fetches the JWKS unless another fetch is running (it then waits
// for that one) or the last attempt is more recent than minInterval (it
// then returns the keys held, and fetched false).
func (ks *keySet) refresh(ctx context.Context) (keys []jose.JSONWebKey, fetched bool, err error) {
	ks.mu.Lock()
	if wait := ks.inflight; wait != nil {
		ks.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
		ks.mu.Lock()
		defer ks.mu.Unlock()
		return ks.keys, true, nil
	}
	if !ks.triedAt.IsZero() && ks.now().Sub(ks.triedAt) < ks.minInterval {
		keys := ks.keys
		ks.mu.Unlock()
		return keys, false, nil
	}
	ks.triedAt = ks.now()
	done := make(chan struct{})
	ks.inflight = done
	ks.mu.Unlock()

	// The fetch is not tied to the request that triggered it: its result
	// serves everybody waiting.
	keys, err = ks.fetch(context.WithoutCancel(ctx))

	ks.mu.Lock()
	if err == nil {
		ks.keys = keys
		ks.fetchedAt = ks.now()
	}
	ks.inflight = nil
	close(done)
	held := ks.keys
	ks.mu.Unlock()
	if err != nil {
		return held, true, err
	}
	return keys, true, nil
}

// fetch reads the JWKS document.
func (ks *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	ks.fetches.Add(1)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ks.url, nil)
	if err != nil {
		return nil, fmt.Errorf("productkit: jwks request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := ks.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: fetch: %v", errKeysUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: fetch: status %d", errKeysUnavailable, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize))
	if err != nil {
		return nil, fmt.Errorf("%w: read: %v", errKeysUnavailable, err)
	}
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: decode: %v", errKeysUnavailable, err)
	}
	keys := make([]jose.JSONWebKey, 0, len(raw.Keys))
	for _, r := range raw.Keys {
		var k jose.JSONWebKey
		// A key of a type go-jose does not know is skipped, not fatal
		// (RFC 7517 §5).
		if err := json.Unmarshal(r, &k); err != nil || !k.Valid() || !k.IsPublic() {
			continue
		}
		keys = append(keys, k)
	}
	return keys, nil
}

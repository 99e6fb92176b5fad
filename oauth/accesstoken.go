package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// AccessToken is what a valid access token of Sésame says. The verifier
// shares one value between the calls that present the same token: read it,
// never modify it.
type AccessToken struct {
	// Signature is the last part of the JWT, which names the token in
	// storage and in revocations.
	Signature string
	ClientID  string
	Subject   string
	// AccountID is the account of the person the token acts for; empty
	// for a client acting for itself (client credentials).
	AccountID string
	Scopes    []string
	ExpiresAt time.Time

	raw string // the whole token, compared on every cache hit
	kid string // the key that signed it, which must still be published
}

// HasScope reports whether scope was granted to the token.
func (t *AccessToken) HasScope(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// ErrInvalidToken means an access token is malformed, forged, expired,
// revoked, not an access token, or of a client that is gone.
var ErrInvalidToken = errors.New("oauth: invalid access token")

// accessTokenType is the typ header of JWT access tokens (RFC 9068).
const accessTokenType = "at+jwt"

// maxVerified bounds the access tokens an instance remembers as verified.
const maxVerified = 10000

// tokenVerifier verifies access tokens, reading the database once per token
// and instance rather than on every call. A token seen for the first time
// is verified in full: signature by kid against the published keys, typ,
// expiry and not-before, then confirmed once in storage (still
// active, client still registered). It is then remembered until it
// expires, is revoked, its client is deleted or its key withdrawn:
// revocations reach it in process (sqlstore.Store.OnRevocation) and from
// the other instances on sqlstore.RevocationChannel (watch). While
// revocations may have been missed (before the listener is up, or between
// a lost connection and the resync that follows its return), nothing is
// remembered and every call takes the full path through fosite and the
// database, as before local verification existed.
type tokenVerifier struct {
	keys   *KeySet
	store  *sqlstore.Store
	oauth2 fosite.OAuth2Provider
	now    func() time.Time
	log    *slog.Logger

	mu sync.RWMutex
	// verified holds the tokens accepted since the last resync, by signature.
	verified map[string]*AccessToken
	// gen counts the revocations heard and resyncs: a token confirmed in
	// storage is remembered only if gen did not move meanwhile, so that a
	// revocation heard during the confirmation cannot be overtaken by it.
	gen uint64

	// follow hears the revocations of the other instances (see watch);
	// while it may have missed one, nothing is remembered.
	follow *db.Follower
}

func newTokenVerifier(keys *KeySet, store *sqlstore.Store, provider fosite.OAuth2Provider, log *slog.Logger) *tokenVerifier {
	v := &tokenVerifier{
		keys: keys, store: store, oauth2: provider, now: time.Now, log: log,
		verified: map[string]*AccessToken{},
	}
	v.follow = &db.Follower{Channel: sqlstore.RevocationChannel, What: "oauth: revocation listener", Log: log,
		Resync: v.forgetAll, Notify: v.heard}
	if keys.db.Dialect == db.Postgres {
		// Nothing is heard from the other instances until watch listens.
		v.follow.Cut()
	}
	store.OnRevocation(v.revoked)
	return v
}

// verify checks raw, remembering it once valid; see tokenVerifier.
func (v *tokenVerifier) verify(ctx context.Context, raw string) (*AccessToken, error) {
	dot := strings.LastIndexByte(raw, '.')
	if !v.trusted() || dot < 0 || strings.Count(raw, ".") != 2 {
		return v.introspect(ctx, raw)
	}
	sig := raw[dot+1:]
	v.mu.RLock()
	t, gen := v.verified[sig], v.gen
	v.mu.RUnlock()
	if t != nil && t.raw == raw {
		if !v.now().Before(t.ExpiresAt) {
			return nil, fmt.Errorf("%w: expired", ErrInvalidToken)
		}
		if _, err := v.keys.ByKID(t.kid); err != nil {
			return nil, fmt.Errorf("%w: its key is withdrawn", ErrInvalidToken)
		}
		return t, nil
	}
	t, err := v.parse(ctx, raw)
	if err != nil {
		return nil, err
	}
	t.Signature = sig
	// Once per token: still active, of a client still registered (the
	// query joins the client).
	if _, err := v.store.GetAccessTokenSession(ctx, sig, nil); err != nil {
		if db.IsStorageFailure(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	v.remember(t, gen)
	return t, nil
}

// remember keeps t unless a revocation or resync happened since gen.
func (v *tokenVerifier) remember(t *AccessToken, gen uint64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.gen != gen || !v.trusted() {
		return
	}
	if len(v.verified) >= maxVerified {
		now := v.now()
		for sig, old := range v.verified {
			if !now.Before(old.ExpiresAt) {
				delete(v.verified, sig)
			}
		}
		if len(v.verified) >= maxVerified {
			clear(v.verified)
		}
	}
	v.verified[t.Signature] = t
}

// claims are the claims of an access token the verifier reads.
type claims struct {
	Issuer    string  `json:"iss"`
	Subject   string  `json:"sub"`
	Expiry    float64 `json:"exp"`
	NotBefore float64 `json:"nbf"`
	ClientID  string  `json:"client_id"`
	AccountID string  `json:"account_id"`
	Scope     string  `json:"scope"`
}

// parse verifies raw's signature, typ, expiry and not-before.
func (v *tokenVerifier) parse(ctx context.Context, raw string) (*AccessToken, error) {
	jws, err := jose.ParseSigned(raw)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("%w: not a signed JWT", ErrInvalidToken)
	}
	h := jws.Signatures[0].Header
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != accessTokenType {
		return nil, fmt.Errorf("%w: typ %q is not %s", ErrInvalidToken, typ, accessTokenType)
	}
	k, err := v.keys.verificationKey(ctx, h.KeyID, h.Algorithm)
	if errors.Is(err, ErrUnknownKey) || errors.Is(err, errAlgMismatch) {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if err != nil {
		return nil, err // reloading the keys failed
	}
	payload, err := jws.Verify(k.Private.Public())
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %w", ErrInvalidToken, err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrInvalidToken, err)
	}
	// The issuer is not compared with this instance's: the token was
	// signed with this database's keys and is found in its storage, so
	// an instance of this deployment issued it, whatever URL it was
	// reached at (the full path through fosite does not compare it
	// either).
	now := v.now()
	switch {
	case c.Issuer == "":
		return nil, fmt.Errorf("%w: no issuer", ErrInvalidToken)
	case c.Expiry <= 0 || c.Expiry > math.MaxInt32*4 || !now.Before(time.Unix(int64(c.Expiry), 0)):
		return nil, fmt.Errorf("%w: expired", ErrInvalidToken)
	case c.NotBefore != 0 && now.Before(time.Unix(int64(c.NotBefore), 0)):
		return nil, fmt.Errorf("%w: not valid yet", ErrInvalidToken)
	case c.ClientID == "":
		return nil, fmt.Errorf("%w: no client_id", ErrInvalidToken)
	}
	return &AccessToken{
		ClientID:  c.ClientID,
		Subject:   c.Subject,
		AccountID: c.AccountID,
		Scopes:    strings.Fields(c.Scope),
		ExpiresAt: time.Unix(int64(c.Expiry), 0),
		raw:       raw,
		kid:       h.KeyID,
	}, nil
}

// introspect is the full path: fosite validates the token and reads its
// request from storage.
func (v *tokenVerifier) introspect(ctx context.Context, raw string) (*AccessToken, error) {
	_, ar, err := v.oauth2.IntrospectToken(ctx, raw, fosite.AccessToken, NewSession())
	if err != nil {
		if db.IsStorageFailure(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	sess, ok := ar.GetSession().(*Session)
	if !ok || ar.GetClient() == nil {
		return nil, fmt.Errorf("%w: unexpected session", ErrInvalidToken)
	}
	return &AccessToken{
		ClientID:  ar.GetClient().GetID(),
		Subject:   sess.Subject,
		AccountID: sess.AccountID,
		Scopes:    ar.GetGrantedScopes(),
		ExpiresAt: sess.GetExpiresAt(fosite.AccessToken),
	}, nil
}

// revoked forgets what a revocation names.
func (v *tokenVerifier) revoked(r sqlstore.Revocation) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.gen++
	switch r.Kind {
	case sqlstore.RevokedAccessToken:
		delete(v.verified, r.Signature)
	case sqlstore.RevokedClient:
		for sig, t := range v.verified {
			if t.ClientID == r.ClientID {
				delete(v.verified, sig)
			}
		}
	default: // a kind this version does not know: forget everything
		clear(v.verified)
	}
}

// forgetAll drops every remembered token.
func (v *tokenVerifier) forgetAll() {
	v.mu.Lock()
	v.gen++
	clear(v.verified)
	v.mu.Unlock()
}

// trusted reports whether no revocation can have been missed since the
// memory was last dropped.
func (v *tokenVerifier) trusted() bool { return v.follow.Trusted() }

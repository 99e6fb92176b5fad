package sqlstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/token/jwt"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// The flow tests drive fosite's own handlers on the store: they show that
// compose.Compose accepts it and that fosite's flows behave as they should
// on it, including under concurrency.

type flow struct {
	t        testing.TB
	st       *sqlstore.Store
	provider fosite.OAuth2Provider
	client   *sqlstore.Client
	secret   string
	pkce     bool
}

func newFlow(t *testing.T, d *db.DB) *flow { return newFlowPKCE(t, d, true) }

// newFlowPKCE returns a provider on a store in d; with pkce false, PKCE is
// neither enforced nor used.
func newFlowPKCE(t testing.TB, d *db.DB, pkce bool) *flow {
	st := sqlstore.New(d)
	secret, err := sqlstore.NewClientSecret()
	if err != nil {
		t.Fatal(err)
	}
	client := &sqlstore.Client{
		ID:           "panel",
		Name:         "Panel",
		RedirectURIs: []string{"https://panel.example/callback"},
		GrantTypes:   []string{"authorization_code", "refresh_token", "client_credentials"},
		Scopes:       []string{"openid", "offline_access", "sesame:authz"},
	}
	if err := st.CreateClient(ctx, client, secret); err != nil {
		t.Fatal(err)
	}
	cfg := &fosite.Config{
		IDTokenIssuer:       "https://sesame.test",
		GlobalSecret:        []byte("0123456789abcdef0123456789abcdef"),
		ClientSecretsHasher: sqlstore.SHA256Hasher{},
		ScopeStrategy:       fosite.ExactScopeStrategy,
		EnforcePKCE:         pkce,
		RefreshTokenScopes:  []string{"offline_access"},
		AccessTokenLifespan: time.Hour,
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	getKey := func(context.Context) (any, error) { return key, nil }
	strategy := &compose.CommonStrategy{
		CoreStrategy:               compose.NewOAuth2HMACStrategy(cfg),
		OpenIDConnectTokenStrategy: compose.NewOpenIDConnectStrategy(getKey, cfg),
		Signer:                     &jwt.DefaultSigner{GetPrivateKey: getKey},
	}
	provider := compose.Compose(cfg, st, strategy,
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2PKCEFactory,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OpenIDConnectExplicitFactory,
		compose.OpenIDConnectRefreshFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2TokenRevocationFactory,
	)
	return &flow{t: t, st: st, provider: provider, client: client, secret: secret, pkce: pkce}
}

const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-plus-some-more"

// authorize runs the authorization endpoint for subject and returns the
// code.
func (f *flow) authorize(subject string) string {
	f.t.Helper()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id":     {f.client.ID},
		"response_type": {"code"},
		"scope":         {"openid offline_access"},
		"redirect_uri":  {f.client.RedirectURIs[0]},
		"state":         {"state-0123456789"},
		"nonce":         {"nonce-0123456789"},
	}
	if f.pkce {
		q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
		q.Set("code_challenge_method", "S256")
	}
	r := httptest.NewRequest("GET", "https://sesame.test/oauth2/auth?"+q.Encode(), nil)
	ar, err := f.provider.NewAuthorizeRequest(ctx, r)
	if err != nil {
		f.t.Fatalf("authorize request: %v", err)
	}
	ar.GrantScope("openid")
	ar.GrantScope("offline_access")
	sess := newSession()
	sess.Subject = subject
	sess.Claims.Subject = subject
	sess.Claims.AuthTime = time.Now().UTC()
	sess.Claims.RequestedAt = ar.GetRequestedAt()
	sess.AccountID = "id482913"
	resp, err := f.provider.NewAuthorizeResponse(ctx, ar, sess)
	if err != nil {
		f.t.Fatalf("authorize response: %v", err)
	}
	return resp.GetParameters().Get("code")
}

// token runs the token endpoint with form, the client authenticating with
// HTTP basic.
func (f *flow) token(form url.Values) (fosite.AccessResponder, error) {
	r := httptest.NewRequest("POST", "https://sesame.test/oauth2/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(f.client.ID, f.secret)
	ar, err := f.provider.NewAccessRequest(ctx, r, newSession())
	if err != nil {
		return nil, err
	}
	return f.provider.NewAccessResponse(ctx, ar)
}

func (f *flow) redeem(code string) (fosite.AccessResponder, error) {
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {f.client.RedirectURIs[0]},
	}
	if f.pkce {
		form.Set("code_verifier", verifier)
	}
	return f.token(form)
}

func (f *flow) refresh(rt string) (fosite.AccessResponder, error) {
	return f.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

// active reports whether introspection accepts token.
func (f *flow) active(token string, use fosite.TokenUse) bool {
	_, _, err := f.provider.IntrospectToken(ctx, token, use, newSession())
	return err == nil
}

func refreshToken(r fosite.AccessResponder) string {
	s, _ := r.GetExtra("refresh_token").(string)
	return s
}

func TestFlowCodeRefreshReuse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFlow(t, d)

		resp, err := f.redeem(f.authorize("alice"))
		if err != nil {
			t.Fatalf("redeem: %v", err)
		}
		at, rt := resp.GetAccessToken(), refreshToken(resp)
		if at == "" || rt == "" {
			t.Fatalf("tokens missing: %+v", resp.ToMap())
		}
		idToken, _ := resp.GetExtra("id_token").(string)
		claims := decodeJWT(t, idToken)
		if claims["nonce"] != "nonce-0123456789" || claims["sub"] != "alice" {
			t.Errorf("ID token claims %v: want the nonce and subject of the authorization", claims)
		}
		if !f.active(at, fosite.AccessToken) {
			t.Fatal("new access token inactive")
		}

		// Rotation: the old access token dies, reusing the old refresh
		// token revokes the new one.
		resp2, err := f.refresh(rt)
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		at2, rt2 := resp2.GetAccessToken(), refreshToken(resp2)
		if f.active(at, fosite.AccessToken) || !f.active(at2, fosite.AccessToken) {
			t.Error("after a refresh the old access token must be inactive, the new one active")
		}
		if claims := decodeJWT(t, resp2.GetExtra("id_token").(string)); claims["sub"] != "alice" {
			t.Errorf("refreshed ID token claims %v", claims)
		}
		if _, err := f.refresh(rt); !errors.Is(err, fosite.ErrInvalidGrant) {
			t.Errorf("reusing a refresh token: %v, want invalid_grant", err)
		}
		if f.active(at2, fosite.AccessToken) || f.active(rt2, fosite.RefreshToken) {
			t.Error("refresh token reuse left the grant's newest tokens active")
		}
		if _, err := f.refresh(rt2); err == nil {
			t.Error("the newest refresh token still works after reuse was detected")
		}
	})
}

func TestFlowCodeReuseRevokesGrant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFlow(t, d)
		code := f.authorize("alice")
		resp, err := f.redeem(code)
		if err != nil {
			t.Fatalf("redeem: %v", err)
		}
		_, err = f.redeem(code)
		if !errors.Is(err, fosite.ErrInvalidGrant) {
			t.Errorf("second redemption: %v, want invalid_grant", err)
		}
		if f.active(resp.GetAccessToken(), fosite.AccessToken) || f.active(refreshToken(resp), fosite.RefreshToken) {
			t.Error("code reuse left the tokens of the grant active")
		}
	})
}

func TestFlowRevocationAndSubject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFlow(t, d)
		resp, err := f.redeem(f.authorize("alice"))
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"token": {refreshToken(resp)}, "token_type_hint": {"refresh_token"}}
		r := httptest.NewRequest("POST", "https://sesame.test/oauth2/revoke", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.SetBasicAuth(f.client.ID, f.secret)
		if err := f.provider.NewRevocationRequest(ctx, r); err != nil {
			t.Fatalf("revocation: %v", err)
		}
		if f.active(resp.GetAccessToken(), fosite.AccessToken) {
			t.Error("revoking the refresh token left its access token active")
		}

		bob, err := f.redeem(f.authorize("bob"))
		if err != nil {
			t.Fatal(err)
		}
		pending := f.authorize("bob")
		if err := f.st.RevokeSubject(ctx, "bob"); err != nil {
			t.Fatal(err)
		}
		if f.active(bob.GetAccessToken(), fosite.AccessToken) {
			t.Error("access token of a revoked subject still active")
		}
		if _, err := f.refresh(refreshToken(bob)); err == nil {
			t.Error("refresh token of a revoked subject still works")
		}
		if _, err := f.redeem(pending); err == nil {
			t.Error("pending code of a revoked subject still redeemable")
		}

		// Client credentials: a token without a subject.
		cc, err := f.token(url.Values{"grant_type": {"client_credentials"}, "scope": {"sesame:authz"}})
		if err != nil {
			t.Fatalf("client credentials: %v", err)
		}
		if !f.active(cc.GetAccessToken(), fosite.AccessToken) {
			t.Error("client credentials token inactive")
		}
	})
}

// TestFlowConcurrentRedemption redeems one code from many requests at once
// through fosite, with and without PKCE (whose challenge fosite deletes at
// the first attempt): exactly one gets tokens.
func TestFlowConcurrentRedemption(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: concurrency test")
	}
	for _, pkce := range []bool{true, false} {
		t.Run(map[bool]string{true: "pkce", false: "no-pkce"}[pkce], func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) { concurrentRedemption(t, newFlowPKCE(t, d, pkce), d) })
		})
	}
}

func concurrentRedemption(t *testing.T, f *flow, d *db.DB) {
	code := f.authorize("alice")
	var (
		mu     sync.Mutex
		tokens []string
		kinds  = map[string]int{}
	)
	race(func() error {
		resp, err := f.redeem(code)
		mu.Lock()
		defer mu.Unlock()
		if err == nil {
			tokens = append(tokens, resp.GetAccessToken())
			return nil
		}
		// A loser that reads the code after the winner committed gets
		// invalid_grant (and fosite revokes the winner's tokens); one
		// that lost the conditional UPDATE gets server_error wrapping
		// ErrInvalidatedAuthorizeCode, and its issuance is rolled back.
		kind := fosite.ErrorToRFC6749Error(err).ErrorField
		if errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
			kind += "/invalidated"
		}
		kinds[kind]++
		return err
	})
	t.Logf("losers: %v", kinds)
	for kind := range kinds {
		if kind != "invalid_grant" && kind != "server_error/invalidated" {
			t.Errorf("a loser got %s", kind)
		}
	}
	if len(tokens) != 1 {
		t.Fatalf("%d redemptions succeeded, want 1 (losers: %v)", len(tokens), kinds)
	}
	var n int
	if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM oauth_access_tokens`); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d access tokens stored, want 1", n)
	}
}

func decodeJWT(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

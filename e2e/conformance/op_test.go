package conformance_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// The suite's callback and post-logout URIs. The browser stops at the
// first redirect leaving Sésame, so nothing needs to listen there.
const (
	redirectURI   = "https://rp.example/callback"
	postLogoutURI = "https://rp.example/logged-out"
	ownerEmail    = "owner@example.cm"
	ownerPassword = "Tr0ub4dor&3-Horse"
	ownerName     = "Olive Owner"
)

// op is a Sésame under test, configured as for the certification: an
// account with its owner, and the suite's clients.
type op struct {
	*sesametest.Instance
	accountID  string
	ownerID    string
	basic      client // client_secret_basic, PKCE not required, third party
	post       client // client_secret_post, PKCE not required, third party
	discovered map[string]any
}

type client struct {
	id, secret string
	style      oauth2.AuthStyle
}

// eachOP runs fn against a Sésame on SQLite and one on PostgreSQL.
func eachOP(t *testing.T, fn func(t *testing.T, o *op)) {
	t.Helper()
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			fn(t, newOP(t, sesametest.Start(t, sesametest.Options{Postgres: pg})))
		})
	}
}

func newOP(t *testing.T, s *sesametest.Instance) *op {
	t.Helper()
	ctx := context.Background()
	acct, owner, err := s.Accounts.CreateAccount(ctx, "Acme Hébergement", ownerEmail, ownerName, ownerPassword)
	if err != nil {
		t.Fatal(err)
	}
	o := &op{Instance: s, accountID: acct.ID, ownerID: owner.ID}
	o.basic = o.register(t, &sqlstore.Client{ID: "suite-basic", Name: "Conformance suite",
		TokenEndpointAuthMethod: sqlstore.AuthClientSecretBasic})
	o.post = o.register(t, &sqlstore.Client{ID: "suite-post", Name: "Conformance suite (post)",
		TokenEndpointAuthMethod: sqlstore.AuthClientSecretPost})
	o.discovered = getJSON(t, s.URL+"/.well-known/openid-configuration")
	return o
}

// register creates a confidential client of the code flow as the suite's
// static client (sesame clients create --require-pkce=false
// --id-token-alg RS256 --post-logout-redirect-uri …), returning its
// credentials.
func (o *op) register(t *testing.T, c *sqlstore.Client) client {
	t.Helper()
	if c.RedirectURIs == nil {
		c.RedirectURIs = []string{redirectURI}
	}
	if c.Scopes == nil {
		c.Scopes = []string{"openid", "profile", "email", "offline_access"}
	}
	c.PKCEOptional = true
	c.PostLogoutRedirectURIs = []string{postLogoutURI}
	// OpenID Connect's default when a client names no algorithm, which a
	// static registration cannot tell the suite (oidcc-idtoken-signature
	// fails on anything else): --id-token-alg RS256.
	c.IDTokenSigningAlg = sqlstore.AlgRS256
	secret, err := sqlstore.NewClientSecret()
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Clients.CreateClient(context.Background(), c, secret); err != nil {
		t.Fatal(err)
	}
	style := oauth2.AuthStyleInHeader
	if c.TokenEndpointAuthMethod == sqlstore.AuthClientSecretPost {
		style = oauth2.AuthStyleInParams
	}
	return client{id: c.ID, secret: secret, style: style}
}

// rp is the relying party: go-oidc for discovery and verification,
// x/oauth2 for the code flow.
type rp struct {
	t        *testing.T
	o        *op
	provider *oidc.Provider
	cfg      oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func (o *op) rp(t *testing.T, c client, scopes ...string) *rp {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), o.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	if len(scopes) == 0 {
		scopes = []string{oidc.ScopeOpenID}
	}
	ep := p.Endpoint()
	ep.AuthStyle = c.style
	return &rp{t: t, o: o, provider: p,
		cfg:      oauth2.Config{ClientID: c.id, ClientSecret: c.secret, Endpoint: ep, RedirectURL: redirectURI, Scopes: scopes},
		verifier: p.Verifier(&oidc.Config{ClientID: c.id}),
	}
}

// request is one authorization request's secrets and URL.
type request struct {
	state, nonce string
	url          string
}

// authRequest builds an authorization request with state and nonce, as
// the suite sends it (no PKCE unless opts add it).
func (r *rp) authRequest(opts ...oauth2.AuthCodeOption) request {
	q := request{state: oauth2.GenerateVerifier(), nonce: oauth2.GenerateVerifier()}
	q.url = r.cfg.AuthCodeURL(q.state, append([]oauth2.AuthCodeOption{oidc.Nonce(q.nonce)}, opts...)...)
	return q
}

// authorize walks the person through Sésame (login form, consent page)
// and returns the redirect to the client.
func (o *op) authorize(t *testing.T, b *sesametest.Browser, authURL string) *url.URL {
	t.Helper()
	p := b.Get(authURL)
	for i := 0; p.Location == "" && i < 3; i++ {
		switch {
		case strings.Contains(p.Body, `name="password"`):
			p = b.Submit(p, "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
		case strings.Contains(p.Body, `action="/oauth2/auth/consent"`):
			p = b.SubmitAction(p, "/oauth2/auth/consent", url.Values{"decision": {"allow"}})
		default:
			t.Fatalf("authorization stopped at %s (status %d):\n%s", p.URL, p.Status, p.Body)
		}
	}
	if p.Location == "" {
		t.Fatalf("no redirect to the client: %d %s", p.Status, p.URL)
	}
	return callback(t, p.Location)
}

func callback(t *testing.T, location string) *url.URL {
	t.Helper()
	u, err := url.Parse(location)
	if err != nil {
		t.Fatalf("redirect %q: %v", location, err)
	}
	if !strings.HasPrefix(location, redirectURI+"?") {
		t.Fatalf("redirected to %s, want %s", location, redirectURI)
	}
	return u
}

// code checks a successful authorization response (state, iss per RFC
// 9207) and returns its code.
func (r *rp) code(q request, cb *url.URL) string {
	r.t.Helper()
	v := cb.Query()
	if e := v.Get("error"); e != "" {
		r.t.Fatalf("authorization failed: %s: %s", e, v.Get("error_description"))
	}
	if v.Get("state") != q.state {
		r.t.Fatalf("state = %q, want %q", v.Get("state"), q.state)
	}
	if v.Get("iss") != r.o.URL {
		r.t.Fatalf("iss = %q, want %q (RFC 9207)", v.Get("iss"), r.o.URL)
	}
	if v.Get("code") == "" {
		r.t.Fatalf("no code in %s", cb)
	}
	return v.Get("code")
}

// authError checks an error response redirected to the client: the error
// code, state and iss.
func (r *rp) authError(q request, cb *url.URL, want ...string) {
	r.t.Helper()
	v := cb.Query()
	found := false
	for _, w := range want {
		found = found || v.Get("error") == w
	}
	if !found {
		r.t.Fatalf("error = %q (%s), want one of %v", v.Get("error"), v.Get("error_description"), want)
	}
	if v.Get("state") != q.state || v.Get("iss") != r.o.URL || v.Get("code") != "" {
		r.t.Fatalf("error response %s: want state %q, iss %q and no code", cb, q.state, r.o.URL)
	}
	checkASCII(r.t, "error_description", v.Get("error_description"))
}

// tokens is a verified token response.
type tokens struct {
	*oauth2.Token
	raw    string // the ID token
	id     *oidc.IDToken
	claims map[string]any
}

func (r *rp) exchange(code string, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	return r.cfg.Exchange(context.Background(), code, opts...)
}

// redeem exchanges code and verifies the ID token (signature, iss, aud,
// exp), its nonce and at_hash.
func (r *rp) redeem(q request, code string, opts ...oauth2.AuthCodeOption) tokens {
	r.t.Helper()
	tok, err := r.exchange(code, opts...)
	if err != nil {
		r.t.Fatalf("exchange: %v", err)
	}
	return r.verify(tok, q.nonce)
}

func (r *rp) verify(tok *oauth2.Token, nonce string) tokens {
	r.t.Helper()
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		r.t.Fatal("no id_token in the token response")
	}
	idt, err := r.verifier.Verify(context.Background(), raw)
	if err != nil {
		r.t.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != nonce {
		r.t.Fatalf("nonce = %q, want %q", idt.Nonce, nonce)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			r.t.Fatalf("at_hash: %v", err)
		}
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		r.t.Fatal(err)
	}
	return tokens{Token: tok, raw: raw, id: idt, claims: claims}
}

// signIn runs a whole successful flow for the owner in browser b.
func (r *rp) signIn(b *sesametest.Browser, opts ...oauth2.AuthCodeOption) tokens {
	r.t.Helper()
	q := r.authRequest(opts...)
	return r.redeem(q, r.code(q, r.o.authorize(r.t, b, q.url)))
}

// userinfo calls the userinfo endpoint as the suite's three modules do.
func (r *rp) userinfo(accessToken, how string) (int, map[string]any) {
	r.t.Helper()
	endpoint := r.o.discovered["userinfo_endpoint"].(string)
	var req *http.Request
	switch how {
	case "get":
		req, _ = http.NewRequest(http.MethodGet, endpoint, nil)
		req.Header.Set("Authorization", "Bearer "+accessToken)
	case "post-header":
		req, _ = http.NewRequest(http.MethodPost, endpoint, nil)
		req.Header.Set("Authorization", "Bearer "+accessToken)
	case "post-body":
		req, _ = http.NewRequest(http.MethodPost, endpoint, strings.NewReader(url.Values{"access_token": {accessToken}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(body, &out)
	if resp.StatusCode != http.StatusOK {
		if d, ok := out["error_description"].(string); ok {
			checkASCII(r.t, "userinfo error_description", d)
		}
	}
	return resp.StatusCode, out
}

func getJSON(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	out := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return out
}

func strs(v any) []string {
	var out []string
	switch l := v.(type) {
	case []any:
		for _, s := range l {
			if s, ok := s.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = l
	}
	return out
}

package productkittest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Person is somebody who can sign in: one person in one account.
type Person struct {
	Sub, AccountID, Email, Name string
	Rights                      []string
	Disabled                    bool
}

// Client is a registered client (a product).
type Client struct {
	ID, Secret   string
	RedirectURIs []string
}

// Logout records one visit of the end-session endpoint.
type Logout struct {
	IDTokenHint, PostLogoutRedirectURI, State, ClientID string
}

// Issuer is the in-process provider. Set Now, AccessTTL and IDTTL before
// the first request if the defaults (time.Now, 15 min, 1 h) do not suit.
type Issuer struct {
	URL    string
	Server *httptest.Server

	Now       func() time.Time
	AccessTTL time.Duration
	IDTTL     time.Duration

	mu       sync.Mutex
	keys     []*signingKey // published; the last one signs
	retired  []*signingKey // removed from the JWKS, still usable by Sign
	people   map[string]*Person
	clients  map[string]*Client
	signedIn string
	sids     map[string]string // sub → sid of its latest sign-in
	codes    map[string]*grant
	refresh  map[string]*refreshState
	cc       map[string]ccToken
	logouts  []Logout
	revoked  []string
	lastAuth url.Values
	checkErr int
	noRefID  bool
	auth     Authentication

	jwksHits    atomic.Int64
	checkHits   atomic.Int64
	refreshHits atomic.Int64
}

// New starts an issuer with one ES256 key; it stops with the test.
func New(t testing.TB) *Issuer {
	t.Helper()
	i := &Issuer{
		Now:       time.Now,
		AccessTTL: 15 * time.Minute,
		IDTTL:     time.Hour,
		people:    map[string]*Person{},
		clients:   map[string]*Client{},
		codes:     map[string]*grant{},
		refresh:   map[string]*refreshState{},
		cc:        map[string]ccToken{},
		sids:      map[string]string{},
	}
	i.Rotate("ES256")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", i.discovery)
	mux.HandleFunc("GET /jwks", i.jwks)
	mux.HandleFunc("GET /authorize", i.authorize)
	mux.HandleFunc("POST /token", i.token)
	mux.HandleFunc("GET /logout", i.logout)
	mux.HandleFunc("POST /revoke", i.revoke)
	mux.HandleFunc("POST /api/v1/authz/check", i.check)
	i.Server = httptest.NewServer(mux)
	i.URL = i.Server.URL
	t.Cleanup(i.Server.Close)
	return i
}

func (i *Issuer) now() time.Time { return i.Now() }

// AddClient registers c.
func (i *Issuer) AddClient(c Client) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.clients[c.ID] = &c
}

// AddPerson registers p (or replaces the person with the same Sub).
func (i *Issuer) AddPerson(p Person) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.people[p.Sub] = &p
}

// SetRights changes what sub holds, as an owner editing a login account
// would: the check API answers with the new rights at once, tokens at the
// next refresh.
func (i *Issuer) SetRights(sub string, rights ...string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.people[sub].Rights = rights
}

// Disable disables sub: its refresh tokens stop working.
func (i *Issuer) Disable(sub string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.people[sub].Disabled = true
}

// SignIn makes sub the person signed in at the issuer in "the browser":
// the authorization endpoint then answers at once (single sign-on). An
// empty sub signs out, and the authorization endpoint answers
// login_required.
func (i *Issuer) SignIn(sub string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.signedIn = sub
}

// Authentication is how the person signed in at the issuer: the acr, amr
// and auth_time of the ID tokens of the sign-ins that follow.
type Authentication struct {
	ACR  string
	AMR  []string
	Time time.Time // zero: the time of the authorization request
}

// Authenticate sets how the next sign-ins authenticate, whatever the
// authorization request asks (acr_values, max_age), so that a test can
// play an issuer that ignores them. The zero Authentication is a password
// sign-in at the time of the request: amr ["pwd"], no acr.
func (i *Issuer) Authenticate(a Authentication) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.auth = a
}

// OmitIDTokenOnRefresh makes refresh responses carry no ID token, as
// some providers do.
func (i *Issuer) OmitIDTokenOnRefresh(omit bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.noRefID = omit
}

// FailChecks makes the check API answer status (0 restores it).
func (i *Issuer) FailChecks(status int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.checkErr = status
}

// PersonClaims returns the claims of DESIGN.md §3 for sub as of now.
func (i *Issuer) PersonClaims(sub string) map[string]any {
	i.mu.Lock()
	defer i.mu.Unlock()
	p, ok := i.people[sub]
	if !ok {
		return map[string]any{"sub": sub}
	}
	rights := append([]string{}, p.Rights...)
	return map[string]any{
		"sub": p.Sub, "account_id": p.AccountID, "email": p.Email, "email_verified": true,
		"name": p.Name, "rights": rights,
	}
}

// AccessToken mints an access token (typ at+jwt) for sub as issued to
// clientID, audience clientID, valid ttl.
func (i *Issuer) AccessToken(sub, clientID string, ttl time.Duration) string {
	return i.AccessTokenWith(sub, clientID, ttl, nil)
}

// IDToken mints an ID token (typ JWT) for sub, audience clientID.
func (i *Issuer) IDToken(sub, clientID, nonce string) string {
	c := i.PersonClaims(sub)
	now := i.now()
	c["iss"] = i.URL
	c["aud"] = clientID
	c["iat"] = now.Unix()
	c["exp"] = now.Add(i.IDTTL).Unix()
	c["auth_time"] = now.Unix()
	if nonce != "" {
		c["nonce"] = nonce
	}
	return i.Sign("", "JWT", c)
}

// SID returns the session id (sid claim) of sub's latest sign-in, "" if
// none.
func (i *Issuer) SID(sub string) string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.sids[sub]
}

// AccessTokenWith is AccessToken with extra claims set (or removed, when
// their value is nil), e.g. "sid" or "iat".
func (i *Issuer) AccessTokenWith(sub, clientID string, ttl time.Duration, extra map[string]any) string {
	c := i.PersonClaims(sub)
	now := i.now()
	c["iss"] = i.URL
	c["aud"] = []string{clientID}
	c["client_id"] = clientID
	c["scope"] = "openid profile email offline_access"
	c["jti"] = randomString(16)
	c["iat"] = now.Unix()
	c["exp"] = now.Add(ttl).Unix()
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return i.Sign("", "at+jwt", c)
}

// LogoutClaims returns the claims of a logout token (Back-Channel Logout
// 1.0) for clientID as Sésame sends it: sub and sid ("" leaves either
// out), iat now, exp two minutes later, a fresh jti. Sign it with Sign(""
// , "logout+jwt", claims) after changing what a test needs.
func (i *Issuer) LogoutClaims(clientID, sub, sid string) map[string]any {
	now := i.now()
	c := map[string]any{
		"iss": i.URL, "aud": clientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti":    randomString(16),
		"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
	}
	if sub != "" {
		c["sub"] = sub
	}
	if sid != "" {
		c["sid"] = sid
	}
	return c
}

// ClaimsChangeClaims returns the claims of a security event token (RFC
// 8417) for clientID carrying the CAEP token-claims-change event: sub's
// rights became rights at at. Sign it with Sign("", "secevent+jwt",
// claims).
func (i *Issuer) ClaimsChangeClaims(clientID, sub string, at time.Time, rights ...string) map[string]any {
	now := i.now()
	if rights == nil {
		rights = []string{}
	}
	return map[string]any{
		"iss": i.URL, "aud": clientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti":    randomString(16),
		"sub_id": map[string]any{"format": "opaque", "id": sub},
		"events": map[string]any{"https://schemas.openid.net/secevent/caep/event-type/token-claims-change": map[string]any{
			"event_timestamp": at.Unix(), "claims": map[string]any{"rights": rights},
		}},
	}
}

// JWKSHits counts the JWKS fetches served.
func (i *Issuer) JWKSHits() int64 { return i.jwksHits.Load() }

// CheckHits counts the calls of the check API served.
func (i *Issuer) CheckHits() int64 { return i.checkHits.Load() }

// RefreshHits counts the refresh-token grants served (successful or not).
func (i *Issuer) RefreshHits() int64 { return i.refreshHits.Load() }

// Logouts returns the visits of the end-session endpoint.
func (i *Issuer) Logouts() []Logout {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]Logout(nil), i.logouts...)
}

// Revoked returns the refresh tokens revoked through the revocation
// endpoint.
func (i *Issuer) Revoked() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]string(nil), i.revoked...)
}

// LastAuthorize returns the query of the last authorization request.
func (i *Issuer) LastAuthorize() url.Values {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.lastAuth
}

func (i *Issuer) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                i.URL,
		"authorization_endpoint":                i.URL + "/authorize",
		"token_endpoint":                        i.URL + "/token",
		"jwks_uri":                              i.URL + "/jwks",
		"end_session_endpoint":                  i.URL + "/logout",
		"revocation_endpoint":                   i.URL + "/revoke",
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access", "sesame:authz"},
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256", "RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

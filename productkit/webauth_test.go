package productkit

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/productkit/productkittest"
)

// panel is a tiny product signing in through the fake issuer.
type panel struct {
	*fixture
	wa     *WebAuth
	srv    *httptest.Server
	client *http.Client
}

func newPanel(t *testing.T) *panel {
	t.Helper()
	f := newFixture(t)
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	f.fake.AddClient(productkittest.Client{ID: testClient, Secret: testSecret, RedirectURIs: []string{srv.URL + "/callback"}})
	wa, err := NewWebAuth(WebAuthConfig{
		Issuer: f.issuer, ClientID: testClient, ClientSecret: testSecret,
		RedirectURL:  srv.URL + "/callback",
		CookieSecret: []byte("0123456789abcdef0123456789abcdef-cookie"),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	wa.Mount(r)
	r.GET("/", func(c *gin.Context) { c.String(200, "home") })
	web := r.Group("/", wa.RequireSignIn(), wa.SameOrigin())
	web.GET("/me", func(c *gin.Context) {
		id, _ := IdentityFrom(c)
		c.JSON(200, id)
	})
	web.GET("/dns/:domain", Require("domain:dns", ResourceParam("domain")), func(c *gin.Context) { c.String(200, "dns of "+c.Param("domain")) })
	web.POST("/dns/:domain", Require("domain:dns", ResourceParam("domain")), func(c *gin.Context) { c.String(200, "saved") })
	web.GET("/danger", wa.RequireStepUp(30*time.Minute), func(c *gin.Context) { c.String(200, "danger") })
	web.POST("/danger", wa.RequireStepUp(30*time.Minute), func(c *gin.Context) { c.String(200, "deleted") })
	srv.Config.Handler = r
	jar, _ := cookiejar.New(nil)
	return &panel{fixture: f, wa: wa, srv: srv, client: &http.Client{Jar: jar}}
}

func (p *panel) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := p.client.Get(p.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (p *panel) me(t *testing.T) Identity {
	t.Helper()
	resp, body := p.get(t, "/me")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /me: status %d, body %s", resp.StatusCode, body)
	}
	var id Identity
	if err := json.Unmarshal([]byte(body), &id); err != nil {
		t.Fatalf("GET /me: %v in %s", err, body)
	}
	return id
}

func TestWebAuthSignInRefreshSignOut(t *testing.T) {
	p := newPanel(t)

	// Nobody is signed in at Sésame: the sign-in comes back refused.
	resp, body := p.get(t, "/me")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "La connexion a été refusée") {
		t.Fatalf("without a session at the issuer: %d %s", resp.StatusCode, body)
	}

	p.fake.SignIn("bob")
	resp, body = p.get(t, "/me")
	var id Identity
	if err := json.Unmarshal([]byte(body), &id); err != nil || resp.Request.URL.Path != "/me" {
		t.Fatalf("sign-in landed on %s with %s", resp.Request.URL, body)
	}
	if id.Sub != "bob" || id.AccountID != "id482913" || id.Email != "bob@example.cm" || len(id.Rights) != 1 {
		t.Fatalf("identity = %+v", id)
	}
	auth := p.fake.LastAuthorize()
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(auth.Get(k)) < 40 {
			t.Errorf("authorization request %s = %q, want a long random value", k, auth.Get(k))
		}
	}
	if auth.Get("code_challenge_method") != "S256" || !strings.Contains(auth.Get("scope"), "offline_access") {
		t.Errorf("authorization request = %v", auth)
	}

	// French first, English on request.
	resp, body = p.get(t, "/dns/example.cm")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Accès refusé") || !strings.Contains(body, "domain:dns") {
		t.Fatalf("forbidden page: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("GET", p.srv.URL+"/dns/example.cm", nil)
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Access denied") {
		t.Fatalf("English forbidden page: %s", b)
	}

	// The owner grants a right: the token carries it after the refresh.
	p.fake.SetRights("bob", "domain:read", "domain:dns:example.cm")
	if resp, _ := p.get(t, "/dns/example.cm"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("before refresh: %d, want 403 (token rights)", resp.StatusCode)
	}
	p.clock.Advance(14*time.Minute + 30*time.Second)
	if resp, body := p.get(t, "/dns/example.cm"); resp.StatusCode != 200 {
		t.Fatalf("after refresh: %d %s", resp.StatusCode, body)
	}
	if resp, _ := p.get(t, "/dns/boutique.fr"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("narrowed right on another domain: %d, want 403", resp.StatusCode)
	}
	if n := p.fake.RefreshHits(); n != 1 {
		t.Fatalf("refreshes = %d, want 1", n)
	}

	// Concurrent requests of one browser share a single refresh: a second
	// use of the rotated refresh token would make Sésame revoke the grant.
	p.clock.Advance(15 * time.Minute)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := p.client.Get(p.srv.URL + "/me")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("concurrent request: %d", resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	if n := p.fake.RefreshHits(); n != 2 {
		t.Fatalf("refreshes after 10 concurrent requests = %d, want 2", n)
	}
	if id := p.me(t); id.Sub != "bob" {
		t.Fatalf("identity after refresh = %+v", id)
	}

	// Sign-out: local session gone, refresh token revoked, Sésame told.
	resp = p.signOut(t)
	logouts := p.fake.Logouts()
	if len(logouts) != 1 {
		t.Fatalf("logouts = %v", logouts)
	}
	l := logouts[0]
	if l.IDTokenHint == "" || l.PostLogoutRedirectURI != p.srv.URL+"/signed-out" || l.ClientID != testClient || l.State == "" {
		t.Fatalf("logout = %+v", l)
	}
	if len(p.fake.Revoked()) != 1 {
		t.Fatalf("revoked = %v", p.fake.Revoked())
	}
	if resp.Request.URL.String() != p.srv.URL+"/signed-out?state="+url.QueryEscape(l.State) || resp.StatusCode != 200 {
		t.Fatalf("after sign-out landed on %s (%d)", resp.Request.URL, resp.StatusCode)
	}
	resp, _ = p.get(t, "/me")
	if resp.StatusCode != http.StatusForbidden { // back to Sésame, where nobody is signed in
		t.Fatalf("after sign-out: %d", resp.StatusCode)
	}
}

func TestWebAuthDisabledPersonLosesSession(t *testing.T) {
	p := newPanel(t)
	p.fake.SignIn("alice")
	p.me(t)
	p.fake.Disable("alice")
	p.clock.Advance(20 * time.Minute)
	resp, _ := p.get(t, "/me")
	if resp.StatusCode == 200 {
		t.Fatal("disabled person still signed in after the refresh")
	}
	if p.hasSession() {
		t.Fatal("session cookie kept")
	}
	// One refused refresh is one request: the client's authentication
	// is fixed, so x/oauth2 does not retry it another way and report
	// that second attempt's error.
	if n := p.fake.RefreshHits(); n != 1 {
		t.Fatalf("refresh requests = %d, want 1", n)
	}
}

// csrfRe finds the CSRF field of the sign-out form.
var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the sign-out form that GET /logout shows.
func (p *panel) csrf(t *testing.T) string {
	t.Helper()
	_, body := p.get(t, "/logout")
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the sign-out page: %s", body)
	}
	return m[1]
}

// signOut posts the sign-out form as the product's page would, and
// follows the redirects.
func (p *panel) signOut(t *testing.T) *http.Response {
	t.Helper()
	form := url.Values{CSRFField: {p.csrf(t)}}
	req, _ := http.NewRequest("POST", p.srv.URL+"/logout", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.srv.URL)
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func (p *panel) hasSession() bool {
	u, _ := url.Parse(p.srv.URL)
	for _, c := range p.client.Jar.Cookies(u) {
		if strings.HasPrefix(c.Name, "pk_") && strings.HasSuffix(c.Name, "_session") {
			return true
		}
	}
	return false
}

// TestWebAuthRefreshWithoutIDToken: when the refresh response has no ID
// token, the identity comes from the verified access token and the first
// ID token stays the sign-out hint.
func TestWebAuthRefreshWithoutIDToken(t *testing.T) {
	p := newPanel(t)
	p.fake.SignIn("bob")
	p.me(t)
	p.fake.OmitIDTokenOnRefresh(true)
	p.fake.SetRights("bob", "domain:read", "domain:dns")
	p.clock.Advance(20 * time.Minute)
	if resp, body := p.get(t, "/dns/boutique.fr"); resp.StatusCode != 200 {
		t.Fatalf("after refresh: %d %s", resp.StatusCode, body)
	}
	if n := p.fake.RefreshHits(); n != 1 {
		t.Fatalf("refreshes = %d, want 1", n)
	}
	p.signOut(t)
	if l := p.fake.Logouts(); len(l) != 1 || l[0].IDTokenHint == "" {
		t.Fatalf("logouts = %+v", l)
	}
}

package productkit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/productkit/productkittest"
)

// product is one instance of a product wired as a real one is: WebAuth,
// Guard, Checker and Receiver over one revocation store.
type product struct {
	wa      *WebAuth
	handler http.Handler
}

func newProduct(t *testing.T, f *fixture, store RevocationStore, base string) *product {
	t.Helper()
	wa, err := NewWebAuth(WebAuthConfig{
		Issuer: f.issuer, ClientID: testClient, ClientSecret: testSecret,
		RedirectURL:  base + "/callback",
		CookieSecret: []byte("0123456789abcdef0123456789abcdef-cookie"),
		Revocations:  store,
	})
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGuard(GuardConfig{Issuer: f.issuer, Audience: testClient, Revocations: store})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := NewChecker(CheckerConfig{Issuer: f.issuer, ClientID: testClient, ClientSecret: testSecret, CacheTTL: time.Hour, Revocations: store})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	wa.Mount(r)
	f.receiver(t, store).Mount(r)
	web := r.Group("/", wa.RequireSignIn(), wa.SameOrigin())
	web.GET("/me", func(c *gin.Context) { id, _ := IdentityFrom(c); c.JSON(200, id) })
	web.GET("/dns/:domain", Require("domain:dns", ResourceParam("domain")), func(c *gin.Context) { c.String(200, "zone") })
	web.POST("/dns/:domain", Require("domain:dns", ResourceParam("domain"), Live(ch)), func(c *gin.Context) { c.String(200, "saved") })
	api := r.Group("/api", g.Middleware())
	api.GET("/dns/:domain", Require("domain:dns", ResourceParam("domain")), func(c *gin.Context) { c.String(200, "zone") })
	return &product{wa: wa, handler: r}
}

// site is a product served over HTTP, with browsers signing in to it.
type site struct {
	*fixture
	store RevocationStore
	srv   *httptest.Server
}

func newSite(t *testing.T, store func(*fixture) RevocationStore) *site {
	t.Helper()
	f := newFixture(t)
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	f.fake.AddClient(productkittest.Client{ID: testClient, Secret: testSecret, RedirectURIs: []string{srv.URL + "/callback"}})
	s := &site{fixture: f, store: store(f), srv: srv}
	srv.Config.Handler = newProduct(t, f, s.store, srv.URL).handler
	return s
}

// visitor is one browser, signed in as sub with Sésame session sid.
type visitor struct {
	s        *site
	client   *http.Client
	sub, sid string
}

func (s *site) signIn(t *testing.T, sub string) *visitor {
	t.Helper()
	s.fake.SignIn(sub)
	jar, _ := cookiejar.New(nil)
	v := &visitor{s: s, sub: sub, client: &http.Client{Jar: jar, CheckRedirect: func(_ *http.Request, via []*http.Request) error {
		if len(via) > 0 && via[len(via)-1].URL.Path == "/me" {
			return http.ErrUseLastResponse // a signed-out browser: stop at the redirect to sign in
		}
		return nil
	}}}
	resp, err := v.client.Get(s.srv.URL + "/login?next=/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("sign-in of %s: %d", sub, resp.StatusCode)
	}
	v.sid = s.fake.SID(sub)
	return v
}

// status requests path and returns the status (303 for a browser sent to
// sign in).
func (v *visitor) status(t *testing.T, path string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", v.s.srv.URL+path, nil)
	resp, err := v.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther && !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("%s: redirected to %s", path, resp.Header.Get("Location"))
	}
	return resp.StatusCode
}

func (v *visitor) me(t *testing.T) Identity {
	t.Helper()
	resp, err := v.client.Get(v.s.srv.URL + "/me")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var id Identity
	if resp.StatusCode != 200 || decodeJSON(resp, &id) != nil {
		t.Fatalf("/me: %d", resp.StatusCode)
	}
	return id
}

// bearer calls the API with token and returns the status and the
// WWW-Authenticate header.
func (s *site) bearer(t *testing.T, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.srv.URL+"/api/dns/example.cm", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

// push delivers a token to the site's receiver as Sésame does.
func (s *site) logout(t *testing.T, sub, sid string) {
	t.Helper()
	tok := s.fake.Sign("", "logout+jwt", s.fake.LogoutClaims(testClient, sub, sid))
	resp, err := http.PostForm(s.srv.URL+BackChannelLogoutPath, url.Values{"logout_token": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("logout token: %d", resp.StatusCode)
	}
}

func (s *site) claimsChange(t *testing.T, sub string, rights ...string) {
	t.Helper()
	tok := s.fake.Sign("", "secevent+jwt", s.fake.ClaimsChangeClaims(testClient, sub, s.clock.Now(), rights...))
	resp, err := http.Post(s.srv.URL+EventsPath, "application/secevent+jwt", strings.NewReader(tok))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("event: %d", resp.StatusCode)
	}
}

func memoryStore(f *fixture) RevocationStore { return NewMemoryRevocations(0, f.clock.Now) }

func (s *site) person(sub string, rights ...string) {
	s.fake.AddPerson(productkittest.Person{Sub: sub, AccountID: "id482913", Email: sub + "@example.cm", Rights: rights})
}

func TestLogoutBySIDEndsThatSession(t *testing.T) {
	s := newSite(t, memoryStore)
	s.person("alice", "domain:dns")
	s.person("bob", "domain:dns")
	a1, a2, b := s.signIn(t, "alice"), s.signIn(t, "alice"), s.signIn(t, "bob")
	if a1.sid == "" || a1.sid == a2.sid {
		t.Fatalf("sids %q %q", a1.sid, a2.sid)
	}
	tok1 := s.fake.AccessTokenWith("alice", testClient, time.Hour, map[string]any{"sid": a1.sid})
	tok2 := s.fake.AccessTokenWith("alice", testClient, time.Hour, map[string]any{"sid": a2.sid})

	s.logout(t, "alice", a1.sid)

	if got := a1.status(t, "/me"); got != http.StatusSeeOther {
		t.Fatalf("ended session: %d, want 303 to sign in", got)
	}
	if got := a1.status(t, "/me"); got != http.StatusSeeOther {
		t.Fatalf("ended session, second request: %d", got)
	}
	if got := a2.status(t, "/me"); got != 200 {
		t.Fatalf("alice's other session: %d", got)
	}
	if got := b.status(t, "/me"); got != 200 {
		t.Fatalf("bob's session: %d", got)
	}
	if got, www := s.bearer(t, tok1); got != 401 || !strings.Contains(www, "invalid_token") {
		t.Fatalf("token of the ended session: %d %q", got, www)
	}
	if got, _ := s.bearer(t, tok2); got != 200 {
		t.Fatalf("token of the other session: %d", got)
	}
}

func TestLogoutBySubEndsEverySession(t *testing.T) {
	s := newSite(t, memoryStore)
	s.person("alice", "domain:dns")
	s.person("bob", "domain:dns")
	a1, a2, b := s.signIn(t, "alice"), s.signIn(t, "alice"), s.signIn(t, "bob")
	old := s.fake.AccessToken("alice", testClient, time.Hour)
	bobs := s.fake.AccessToken("bob", testClient, time.Hour)

	s.logout(t, "alice", "")

	for i, v := range []*visitor{a1, a2} {
		if got := v.status(t, "/me"); got != http.StatusSeeOther {
			t.Fatalf("alice's session %d: %d, want 303 to sign in", i, got)
		}
	}
	if got := b.status(t, "/me"); got != 200 {
		t.Fatalf("bob's session: %d", got)
	}
	if got, _ := s.bearer(t, old); got != 401 {
		t.Fatalf("alice's older token: %d", got)
	}
	if got, _ := s.bearer(t, bobs); got != 200 {
		t.Fatalf("bob's token: %d", got)
	}
	// Signed in again afterwards (her password was reset): welcome back.
	s.clock.Advance(time.Second)
	if got, _ := s.bearer(t, s.fake.AccessToken("alice", testClient, time.Hour)); got != 200 {
		t.Fatalf("alice's newer token: %d", got)
	}
	if got := s.signIn(t, "alice").status(t, "/me"); got != 200 {
		t.Fatalf("alice signed in again: %d", got)
	}
}

// TestLateLogoutKeepsLaterSessions: a logout token with a sub and no sid
// that arrives late (Sésame retried it) carries the time of the change as
// iat: sessions and tokens from before it end, those opened since stay.
func TestLateLogoutKeepsLaterSessions(t *testing.T) {
	s := newSite(t, memoryStore)
	s.person("alice", "domain:dns")
	before := s.signIn(t, "alice")
	old := s.fake.AccessToken("alice", testClient, time.Hour)
	s.clock.Advance(time.Second)
	changed := s.clock.Now()
	s.clock.Advance(10 * time.Minute)
	after := s.signIn(t, "alice")
	newer := s.fake.AccessToken("alice", testClient, time.Hour)

	c := s.fake.LogoutClaims(testClient, "alice", "")
	c["iat"] = changed.Unix()
	resp, err := http.PostForm(s.srv.URL+BackChannelLogoutPath, url.Values{"logout_token": {s.fake.Sign("", "logout+jwt", c)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("late logout token: %d", resp.StatusCode)
	}
	if got := before.status(t, "/me"); got != http.StatusSeeOther {
		t.Fatalf("session from before the change: %d, want 303 to sign in", got)
	}
	if got, _ := s.bearer(t, old); got != 401 {
		t.Fatalf("token from before the change: %d, want 401", got)
	}
	if got := after.status(t, "/me"); got != 200 {
		t.Fatalf("session opened after the change: %d, want 200", got)
	}
	if got, _ := s.bearer(t, newer); got != 200 {
		t.Fatalf("token issued after the change: %d, want 200", got)
	}
}

func TestClaimsChangeUpdatesRights(t *testing.T) {
	s := newSite(t, memoryStore)
	s.person("bob", "domain:read")
	b := s.signIn(t, "bob")
	if got := b.status(t, "/dns/example.cm"); got != 403 {
		t.Fatalf("before the grant: %d", got)
	}
	old := s.fake.AccessToken("bob", testClient, time.Hour)

	// A right granted a second after the sign-in: the session renews its
	// tokens and holds it at once.
	s.clock.Advance(time.Second)
	s.fake.SetRights("bob", "domain:read", "domain:dns:example.cm")
	refreshes := s.fake.RefreshHits()
	s.claimsChange(t, "bob", "domain:read", "domain:dns:example.cm")
	if got := b.status(t, "/dns/example.cm"); got != 200 {
		t.Fatalf("after the grant: %d", got)
	}
	if s.fake.RefreshHits() != refreshes+1 {
		t.Fatalf("refreshes %d → %d, want one", refreshes, s.fake.RefreshHits())
	}
	if got, www := s.bearer(t, old); got != 401 || !strings.Contains(www, "invalid_token") {
		t.Fatalf("token issued before the change: %d %q", got, www)
	}

	// A right removed a second later: refused at once, although the
	// session's tokens (renewed a second ago) still carry it, and the
	// refresh (same second as the change) cannot give newer ones.
	s.clock.Advance(time.Second)
	tokenWithRight := s.fake.AccessToken("bob", testClient, time.Hour)
	s.claimsChange(t, "bob", "domain:read")
	if got := b.status(t, "/dns/example.cm"); got != 403 {
		t.Fatalf("after the removal: %d", got)
	}
	if s.fake.RefreshHits() != refreshes+2 {
		t.Fatalf("refreshes %d → %d, want two in all", refreshes, s.fake.RefreshHits())
	}
	if id := b.me(t); !slices.Equal(id.Rights, []string{"domain:read"}) {
		t.Fatalf("rights after the removal: %v", id.Rights)
	}
	if got, _ := s.bearer(t, tokenWithRight); got != 401 {
		t.Fatalf("token issued before the removal: %d", got)
	}
	// Renewed in the second of the change, a token carrying the rights
	// since the change stands (the right is then refused, 403), and one
	// still carrying the old rights does not.
	s.fake.SetRights("bob", "domain:read")
	if got, _ := s.bearer(t, s.fake.AccessToken("bob", testClient, time.Hour)); got != 403 {
		t.Fatalf("token renewed in the second of the change: %d, want 403", got)
	}
	s.clock.Advance(time.Second)
	if got, _ := s.bearer(t, s.fake.AccessToken("bob", testClient, time.Hour)); got != 403 {
		t.Fatalf("newer token, without the right: %d, want 403", got)
	}
}

// TestClaimsChangeDropsCachedLiveDecisions: Require(Live) reuses the
// check API's decision for an hour here, but not past a claims change.
func TestClaimsChangeDropsCachedLiveDecisions(t *testing.T) {
	s := newSite(t, memoryStore)
	s.person("carol", "domain:dns")
	v := s.signIn(t, "carol")
	post := func() int {
		req, _ := http.NewRequest("POST", s.srv.URL+"/dns/example.cm", nil)
		req.Header.Set("Origin", s.srv.URL)
		resp, err := v.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 3 {
		if got := post(); got != 200 {
			t.Fatalf("live write: %d", got)
		}
	}
	hits := s.fake.CheckHits()
	s.fake.SetRights("carol")
	s.claimsChange(t, "carol")
	if got := post(); got != 403 {
		t.Fatalf("live write after the removal: %d", got)
	}
	if s.fake.CheckHits() != hits+1 {
		t.Fatalf("check calls %d → %d, want one more", hits, s.fake.CheckHits())
	}
}

// TestTwoInstancesSharePostgres: a logout delivered to one instance of a
// product signs the browser out on the other, which shares the
// PostgreSQL store; a claims change delivered to the second reaches the
// first.
func TestTwoInstancesSharePostgres(t *testing.T) {
	db := testDB(t)
	table := testSchema(t, db)
	var stores []*PostgresRevocations
	open := func(f *fixture) RevocationStore {
		st, err := NewPostgresRevocations(context.Background(), PostgresConfig{DB: db, Table: table, Now: f.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		stores = append(stores, st)
		return st
	}
	a := newSite(t, open) // instance A, behind the product's address
	other := newProduct(t, a.fixture, open(a.fixture), a.srv.URL)
	a.person("dan", "domain:dns")
	a.person("eve", "domain:read")
	v := a.signIn(t, "dan")
	w := a.signIn(t, "eve")
	onB := func(v *visitor, path string) int {
		req := httptest.NewRequest("GET", path, nil)
		u, _ := url.Parse(a.srv.URL)
		for _, c := range v.client.Jar.Cookies(u) {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		other.handler.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := onB(v, "/me"); got != 200 {
		t.Fatalf("instance B before the logout: %d", got)
	}
	a.logout(t, "dan", v.sid)
	a.clock.Advance(250 * time.Millisecond)
	if got := onB(v, "/me"); got != http.StatusSeeOther {
		t.Fatalf("instance B after the logout on A: %d, want 303 to sign in", got)
	}

	// A claims change delivered to B: A sees it.
	if got := w.status(t, "/dns/example.cm"); got != 403 {
		t.Fatalf("before the grant: %d", got)
	}
	tok := a.fake.Sign("", "secevent+jwt", a.fake.ClaimsChangeClaims(testClient, "eve", a.clock.Now(), "domain:dns"))
	req := httptest.NewRequest("POST", EventsPath, strings.NewReader(tok))
	req.Header.Set("Content-Type", "application/secevent+jwt")
	rec := httptest.NewRecorder()
	other.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("event on B: %d %s", rec.Code, rec.Body)
	}
	// The same token delivered to A is known, whichever instance got it:
	// acknowledged, not applied again.
	if resp, err := http.Post(a.srv.URL+EventsPath, "application/secevent+jwt", strings.NewReader(tok)); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("replay on A: %v %v", resp, err)
	}
	a.clock.Advance(250 * time.Millisecond)
	if got := w.status(t, "/dns/example.cm"); got != 200 {
		t.Fatalf("on A after the grant delivered to B: %d", got)
	}
	if len(stores) != 2 {
		t.Fatalf("%d stores", len(stores))
	}
}

func decodeJSON(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// The acceptance tests of "applied at once": two Sésame instances on one
// PostgreSQL behind one address, the demo server and domain panels, a
// change made through instance A, and what both panels do within a
// second.

// front is the address both Sésame instances answer at (the issuer), as a
// load balancer would: each request goes to the next running instance in
// turn.
type front struct {
	*httptest.Server
	backends []*atomic.Pointer[url.URL]
	next     atomic.Uint64
}

func newFront(t *testing.T) *front {
	f := &front{Server: httptest.NewUnstartedServer(nil)}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		for range len(f.backends) {
			if u := f.backends[f.next.Add(1)%uint64(len(f.backends))].Load(); u != nil {
				r.SetURL(u)
				r.Out.Host = r.In.Host // Sésame sees the address browsers use
				return
			}
		}
	}}
	f.Config.Handler = proxy
	f.Start()
	t.Cleanup(f.Close)
	return f
}

// add puts instance s behind the front and returns its place: storing nil
// takes it out, storing a URL puts a restarted instance there.
func (f *front) add(s *sesametest.Instance) *atomic.Pointer[url.URL] {
	p := &atomic.Pointer[url.URL]{}
	u, _ := url.Parse(s.URL)
	p.Store(u)
	f.backends = append(f.backends, p)
	return p
}

// stage is the scene of an acceptance test.
type stage struct {
	t      *testing.T
	front  *front
	A, B   *sesametest.Instance
	slots  [2]*atomic.Pointer[url.URL] // A's and B's places behind the front
	w      world                       // seeded through A
	server *sesametest.Panel
	domain *sesametest.Panel
	owner  string // the owner's bearer token for the management API
}

// newStage starts the two instances, the front and the server and domain
// panels (live checks cached 5 s, as the demo runs them: a pushed change
// drops what is cached). It skips under -short.
func newStage(t *testing.T) *stage {
	if testing.Short() {
		t.Skip("skipped with -short: two instances on one database and two demo-product programs")
	}
	_, dbURL := dbtest.PostgresURL(t)
	st := &stage{t: t, front: newFront(t)}
	st.A = sesametest.Start(t, sesametest.Options{DatabaseURL: dbURL, Issuer: st.front.URL})
	st.B = sesametest.Start(t, sesametest.Options{DatabaseURL: dbURL, Issuer: st.front.URL})
	st.slots[0], st.slots[1] = st.front.add(st.A), st.front.add(st.B)
	st.w = seed(t, st.A)
	st.server = st.via().StartPanel(t, "server", 5*time.Second)
	st.domain = st.via().StartPanel(t, "domain", 5*time.Second)
	st.owner = st.ownerToken()
	return st
}

// via is instance A as seen through the front: its URL is the issuer.
func (st *stage) via() *sesametest.Instance {
	v := *st.A
	v.URL = st.front.URL
	return &v
}

// ownerToken signs the owner in and returns an access token with
// sesame:members.
func (st *stage) ownerToken() string {
	w := st.w
	w.Instance = st.via()
	return signInToken(st.t, w, ownerEmail, ownerPassword, "")
}

// addTech creates login account number i (tech<i>@example.cm) through A
// with rights, and waits until B's cached rules hold them too: tokens are
// issued from an instance's cached rules, which hear of a change through
// LISTEN/NOTIFY, a moment after the commit.
func (st *stage) addTech(i int, rights ...string) account.Member {
	st.t.Helper()
	m := addLoginAccount(st.t, st.A, st.w.AccountID, sprintf(techEmail, i), techPassword, rights...)
	st.agree(m.ID, rights...)
	return m
}

// agree waits until both instances give memberID exactly rights.
func (st *stage) agree(memberID string, rights ...string) {
	st.t.Helper()
	want := slices.Sorted(slices.Values(rights))
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		ok := true
		for _, s := range []*sesametest.Instance{st.A, st.B} {
			got, err := s.Rights.Rights(context.Background(), st.w.AccountID, memberID)
			if err != nil {
				st.t.Fatal(err)
			}
			ok = ok && slices.Equal(slices.Sorted(slices.Values(got)), want)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			st.t.Fatalf("the instances do not agree on the rights %v of %s after 2 s", rights, memberID)
		}
	}
}

// member changes a login account through A's management API.
func (st *stage) member(id string, change map[string]any) {
	st.t.Helper()
	status, body := apiCall(st.t, http.MethodPatch, st.A.URL+"/api/v1/accounts/"+st.w.AccountID+"/members/"+id, st.owner, change)
	if status != http.StatusOK {
		st.t.Fatalf("PATCH member %v: %d %v", change, status, body)
	}
}

// person is someone signed in at both panels through one browser, with an
// access token of each panel for its API.
type person struct {
	st       *stage
	email    string
	browser  *sesametest.Browser // follows every redirect, as a real one
	web      *http.Client        // the same cookies, following nothing: a panel's answer is seen as is
	jar      http.CookieJar
	bearer   map[string]string // panel URL → access token
	refresh  map[string]string // panel URL → refresh token
	signedIn time.Time
}

// signIn signs email in at the server panel with its password, then at the
// domain panel without one (single sign-on), and gets an access token for
// each panel's API through the code flow of the panel's client in the same
// browser.
func (st *stage) signIn(email, password string) *person {
	t := st.t
	t.Helper()
	jar, _ := cookiejar.New(nil)
	p := &person{st: st, email: email, jar: jar, bearer: map[string]string{}, refresh: map[string]string{}, signedIn: time.Now(),
		web: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	b := sesametest.NewWebBrowser(t, st.server.URL)
	b.Client.Jar = jar
	p.browser = b
	page := b.Get(st.server.URL + "/login")
	page = b.Submit(page, "password", url.Values{"email": {email}, "password": {password}, "account_id": {st.w.AccountID}, "tab": {"member"}})
	if !strings.HasPrefix(page.URL.String(), st.server.URL) || page.Status != http.StatusOK {
		t.Fatalf("sign-in at the server panel ended at %s (%d)", page.URL, page.Status)
	}
	if page = b.Get(st.domain.URL + "/login"); !strings.HasPrefix(page.URL.String(), st.domain.URL) || strings.Contains(page.Body, `name="password"`) {
		t.Fatalf("sign-in at the domain panel ended at %s (%d)", page.URL, page.Status)
	}
	for _, panel := range []*sesametest.Panel{st.server, st.domain} {
		rp := st.via().NewRP(t, panel.ClientID, panel.Secret, panel.URL+"/callback")
		flow := rp.Start()
		resp, err := p.web.Get(flow.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		tok, err := rp.Exchange(flow, rp.Callback(flow, resp.Header.Get("Location")))
		if err != nil {
			t.Fatalf("code flow of %s: %v", panel.ClientID, err)
		}
		p.bearer[panel.URL], p.refresh[panel.URL] = tok.AccessToken, tok.RefreshToken
	}
	return p
}

// page requests path of a panel with the browser's cookies and returns the
// status and, for a redirect, where to.
func (p *person) page(method, rawURL string) (int, string) {
	p.st.t.Helper()
	req, _ := http.NewRequest(method, rawURL, nil)
	if method != http.MethodGet {
		u, _ := url.Parse(rawURL)
		req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	}
	resp, err := p.web.Do(req)
	if err != nil {
		p.st.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// api calls a panel's API with the person's access token for that panel.
func (p *person) api(method string, panel *sesametest.Panel, path string) int {
	p.st.t.Helper()
	req, _ := http.NewRequest(method, panel.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+p.bearer[panel.URL])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.st.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// renew refreshes the person's access token for panel's API, as its
// client would after a 401.
func (p *person) renew(panel *sesametest.Panel) {
	t := p.st.t
	t.Helper()
	rp := p.st.via().NewRP(t, panel.ClientID, panel.Secret, panel.URL+"/callback")
	r := refresh(t, rp, p.refresh[panel.URL])
	if r.err != nil {
		t.Fatalf("refresh at %s: %v", panel.ClientID, r.err)
	}
	p.bearer[panel.URL], p.refresh[panel.URL] = r.tok.AccessToken, r.tok.RefreshToken
}

// check is one request a panel must answer with want.
type check struct {
	name string
	do   func() int
	want func(status int) bool
}

// signedOut is a browser sent to sign in again (303 to /login) or told
// to (401).
func (p *person) signedOut(panel *sesametest.Panel, path string) check {
	return check{name: panel.Product + " panel session " + path, do: func() int {
		st, loc := p.page(http.MethodGet, panel.URL+path)
		if st == http.StatusSeeOther && !strings.HasPrefix(loc, "/login") {
			return -st
		}
		return st
	}, want: func(s int) bool { return s == http.StatusSeeOther || s == http.StatusUnauthorized }}
}

func is(codes ...int) func(int) bool { return func(s int) bool { return slices.Contains(codes, s) } }

// waitRefused polls the checks from start until every one answers as
// wanted, failing after limit, and returns how long after start the last
// one did. A check answering as wanted must keep answering so.
func waitRefused(t *testing.T, start time.Time, limit time.Duration, checks ...check) time.Duration {
	t.Helper()
	done := make([]bool, len(checks))
	var last time.Duration
	for {
		left := 0
		for i, c := range checks {
			if done[i] {
				continue
			}
			if got := c.do(); c.want(got) {
				done[i], last = true, time.Since(start)
			} else {
				left++
				if time.Since(start) > limit {
					t.Fatalf("%s: %d after %v, want a refusal within %v", c.name, got, time.Since(start), limit)
				}
			}
		}
		if left == 0 {
			for _, c := range checks {
				if got := c.do(); !c.want(got) {
					t.Fatalf("%s: %d once refused", c.name, got)
				}
			}
			return last
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// percentile returns the q-th quantile of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// pushed is a token Sésame pushed to a panel, with the panel's answer.
type pushed struct {
	path, contentType, body string
	status                  int
}

// recorder stands between Sésame and a panel's receivers: it forwards
// what Sésame pushes and keeps a copy, as an eavesdropper on the way
// would.
type recorder struct {
	*httptest.Server
	mu  sync.Mutex
	got []pushed
}

// record registers panel's client again, its push URIs pointing at a
// recorder that forwards to the panel. Call it before anyone signs in.
func (st *stage) record(panel *sesametest.Panel) *recorder {
	t := st.t
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		fwd, _ := http.NewRequest(req.Method, panel.URL+req.URL.Path, bytes.NewReader(body))
		fwd.Header.Set("Content-Type", req.Header.Get("Content-Type"))
		resp, err := http.DefaultClient.Do(fwd)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		r.mu.Lock()
		r.got = append(r.got, pushed{path: req.URL.Path, contentType: req.Header.Get("Content-Type"), body: string(body), status: resp.StatusCode})
		r.mu.Unlock()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		w.Write(answer)
	}))
	t.Cleanup(r.Close)
	ctx := context.Background()
	if err := st.A.Clients.DeleteClient(ctx, panel.ClientID); err != nil {
		t.Fatal(err)
	}
	if err := st.A.Clients.CreateClient(ctx, &sqlstore.Client{
		ID: panel.ClientID, Name: "Panneau " + panel.Product, RedirectURIs: []string{panel.URL + "/callback"}, IsFirstParty: true,
		GrantTypes:           []string{"authorization_code", "refresh_token", "client_credentials"},
		Scopes:               []string{"openid", "profile", "email", "offline_access", "sesame:authz"},
		BackchannelLogoutURI: r.URL + "/backchannel-logout", EventsURI: r.URL + "/events",
	}, panel.Secret); err != nil {
		t.Fatal(err)
	}
	return r
}

// wait returns the first token pushed to path that the panel accepted,
// waiting up to 5 s.
func (r *recorder) wait(t *testing.T, path string) pushed {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		r.mu.Lock()
		for _, p := range r.got {
			if p.path == path && p.status/100 == 2 {
				r.mu.Unlock()
				return p
			}
		}
		r.mu.Unlock()
	}
	t.Fatalf("nothing accepted at %s within 5 s", path)
	return pushed{}
}

// recorded counts the revocations panel's log says it recorded of kind
// about sub, waiting up to 2 s for the count to reach want (the log comes
// through a pipe).
func recorded(panel *sesametest.Panel, kind, sub string, want int) int {
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		n := strings.Count(panel.Log(), `msg="productkit: revocation recorded" kind=`+kind+` sub=`+sub+` `)
		if n == want || time.Now().After(deadline) {
			return n
		}
	}
}

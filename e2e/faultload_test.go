package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/sesametest"
)

// outcome is one request of the fault load.
type outcome struct {
	op, inst   string // what was asked, of which instance ("a", "b")
	start, end time.Time
	status     int    // 0: no answer
	note       string // what went wrong, for the report
	email      string // invite: the invited address
	token      string // token: the access token issued
}

// ok reports whether the request succeeded.
func (o outcome) ok() bool { return o.status >= 200 && o.status < 400 && o.note == "" }

// unavailable reports whether the request was refused as it must be while
// the database is down: 503 (or, from the authorize endpoint, a redirect
// carrying temporarily_unavailable).
func (o outcome) unavailable() bool {
	return o.status == http.StatusServiceUnavailable || o.note == "temporarily_unavailable"
}

// faultLoad runs a bounded load on two instances sharing one database:
// client-credentials tokens, check API calls, invitations and code-flow
// sign-ins, each worker pausing between its requests.
type faultLoad struct {
	t        *testing.T
	insts    map[string]*sesametest.Instance
	w        world
	ccToken  string // a client-credentials token with sesame:authz
	owner    string // the owner's access token with sesame:members
	steadyID string // a member holding server:read throughout
	phase    string // prefix of the invited addresses

	mu  sync.Mutex
	out []outcome
}

var faultHTTP = &http.Client{Timeout: 15 * time.Second}

func (l *faultLoad) record(o outcome) {
	o.end = time.Now()
	l.mu.Lock()
	l.out = append(l.out, o)
	l.mu.Unlock()
}

// outcomes returns what was recorded so far.
func (l *faultLoad) outcomes() []outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]outcome(nil), l.out...)
}

// run starts the workers; the returned function stops them and waits.
func (l *faultLoad) run() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	worker := func(pause time.Duration, fn func(i int, inst string)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				inst := "a"
				if i%2 == 1 {
					inst = "b"
				}
				fn(i, inst)
				select {
				case <-done:
					return
				case <-time.After(pause):
				}
			}
		}()
	}
	worker(20*time.Millisecond, l.token)
	worker(10*time.Millisecond, l.check)
	worker(700*time.Millisecond, l.invite)
	worker(150*time.Millisecond, l.signIn)
	return func() { close(done); wg.Wait() }
}

func (l *faultLoad) token(_ int, inst string) {
	o := outcome{op: "token", inst: inst, start: time.Now()}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"sesame:authz"}}
	req, _ := http.NewRequest("POST", l.insts[inst].URL+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(l.w.ClientID, l.w.Secret)
	var body map[string]any
	o.status, o.note = doJSON(req, &body)
	if o.status == http.StatusOK {
		o.token, _ = body["access_token"].(string)
	}
	l.record(o)
}

func (l *faultLoad) check(_ int, inst string) {
	o := outcome{op: "check", inst: inst, start: time.Now()}
	allowed, status, note := checkOn(l.insts[inst], l.ccToken, l.steadyID, l.w.AccountID, "server:read")
	o.status, o.note = status, note
	if status == http.StatusOK && !allowed {
		o.note = "a held right was denied"
	}
	l.record(o)
}

func (l *faultLoad) invite(i int, inst string) {
	email := fmt.Sprintf("%s-%d@example.cm", l.phase, i)
	o := outcome{op: "invite", inst: inst, start: time.Now(), email: email}
	b, _ := json.Marshal(map[string]any{"email": email, "rights": []string{"domain:read"}})
	req, _ := http.NewRequest("POST", l.insts[inst].URL+"/api/v1/accounts/"+l.w.AccountID+"/members", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+l.owner)
	o.status, o.note = doJSON(req, nil)
	l.record(o)
}

// signIn signs the owner in: every other time the code flow (authorize,
// login form, code exchange), otherwise straight on the login page
// (sign-in, then the account page). Each step is an outcome; a sign-in
// stops at a failed one.
func (l *faultLoad) signIn(i int, inst string) {
	s := l.insts[inst]
	b := s.NewBrowser(l.t)
	step := l.stepper(b, inst)
	if i%4 >= 2 {
		req, _ := http.NewRequest("GET", s.URL+"/login", nil)
		resp, page, ok := step("login-page", req)
		if !ok {
			return
		}
		l.submitLogin(step, inst, resp, page, "sign-in")
		return
	}
	rp := &sesametest.RP{Config: l.rpConfig(s)}
	flow := rp.Start()
	req, _ := http.NewRequest("GET", flow.URL, nil)
	resp, page, ok := step("authorize", req)
	if !ok {
		return
	}
	resp, ok = l.submitLogin(step, inst, resp, page, "login")
	if !ok {
		return
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc == nil || loc.Query().Get("code") == "" {
		l.record(outcome{op: "login", inst: inst, start: time.Now(), status: resp.StatusCode, note: "no code in the redirect"})
		return
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {panelRedirect}, "code_verifier": {flow.Verifier}}
	req, _ = http.NewRequest("POST", s.URL+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(l.w.ClientID, l.w.Secret)
	o := outcome{op: "code", inst: inst, start: time.Now()}
	o.status, o.note = doJSON(req, nil)
	l.record(o)
}

// submitLogin fills the login form of page with the owner's credentials
// and posts it, as step op.
func (l *faultLoad) submitLogin(step stepFunc, inst string, resp *http.Response, page, op string) (*http.Response, bool) {
	forms, _ := sesametest.Forms(strings.NewReader(page))
	f, found := sesametest.FormWithField(forms, "password")
	if !found {
		l.record(outcome{op: op, inst: inst, start: time.Now(), status: resp.StatusCode, note: "no login form"})
		return nil, false
	}
	f.Values.Set("email", ownerEmail)
	f.Values.Set("password", ownerPassword)
	action := resp.Request.URL.ResolveReference(mustURL(f.Action))
	req, _ := http.NewRequest("POST", action.String(), strings.NewReader(f.Values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _, ok := step(op, req)
	return resp, ok
}

// stepFunc sends one request of a sign-in and records its outcome.
type stepFunc func(op string, req *http.Request) (*http.Response, string, bool)

func (l *faultLoad) stepper(b *sesametest.Browser, inst string) stepFunc {
	return func(op string, req *http.Request) (*http.Response, string, bool) {
		o := outcome{op: op, inst: inst, start: time.Now()}
		defer func() { l.record(o) }()
		req.Header.Set("Accept-Language", "fr")
		resp, err := b.Client.Do(req)
		if err != nil {
			o.note = err.Error()
			return nil, "", false
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		o.status = resp.StatusCode
		if loc := resp.Header.Get("Location"); loc != "" {
			u, _ := url.Parse(loc)
			if e := u.Query().Get("error"); e != "" {
				o.note = e
			}
		}
		return resp, string(raw), o.ok()
	}
}

func (l *faultLoad) rpConfig(s *sesametest.Instance) (c oauth2.Config) {
	c.ClientID = l.w.ClientID
	c.Endpoint.AuthURL = s.URL + "/oauth2/auth"
	c.Endpoint.TokenURL = s.URL + "/oauth2/token"
	c.RedirectURL = panelRedirect
	c.Scopes = []string{"openid"}
	return c
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// doJSON sends req and decodes a JSON answer into v (when not nil). The
// note names an OAuth or API error code, or a transport failure.
func doJSON(req *http.Request, v any) (int, string) {
	resp, err := faultHTTP.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(raw, &e)
		return resp.StatusCode, e.Error
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			return resp.StatusCode, "answer not JSON"
		}
	}
	return resp.StatusCode, ""
}

// checkOn asks the check API of s whether sub holds right in accountID.
func checkOn(s *sesametest.Instance, token, sub, accountID, right string) (allowed bool, status int, note string) {
	b, _ := json.Marshal(map[string]any{"sub": sub, "account_id": accountID, "right": right})
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/authz/check", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	var body struct {
		Allowed bool `json:"allowed"`
	}
	status, note = doJSON(req, &body)
	return body.Allowed, status, note
}

// tally counts outcomes by "op status[ note]", sorted, for messages.
func tally(out []outcome) string {
	n := map[string]int{}
	for _, o := range out {
		k := fmt.Sprintf("%s %d", o.op, o.status)
		if o.note != "" {
			k += " " + o.note
		}
		n[k]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-50s %d\n", k, n[k])
	}
	return b.String()
}

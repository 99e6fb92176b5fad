package panel

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/productkit/productkittest"
)

func init() { gin.SetMode(gin.TestMode) }

const (
	testAccount = "id482913"
	secret      = "panel-secret-0123456789"
)

// harness runs one panel against a fake Sésame.
type harness struct {
	t    *testing.T
	fake *productkittest.Issuer
	srv  *httptest.Server
	id   string // client ID
}

func newHarness(t *testing.T, product string, checkTTL time.Duration) *harness {
	t.Helper()
	return newHarnessWith(t, product, checkTTL, nil)
}

// newHarnessWith is newHarness with the panel's configuration changed by
// mutate.
func newHarnessWith(t *testing.T, product string, checkTTL time.Duration, mutate func(*Config)) *harness {
	t.Helper()
	fake := productkittest.New(t)
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	id := product + "-panel"
	fake.AddClient(productkittest.Client{ID: id, Secret: secret, RedirectURIs: []string{srv.URL + "/callback"}})
	cfg := Config{
		Product: product, PublicURL: srv.URL, Issuer: fake.URL, ClientID: id, ClientSecret: secret,
		CheckCacheTTL: checkTTL, HTTPClient: fake.Server.Client(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	return &harness{t: t, fake: fake, srv: srv, id: id}
}

// browser is one person's browser, signed in to the panel.
type browser struct {
	h      *harness
	client *http.Client
	sub    string
}

func (h *harness) signIn(sub string, rights ...string) *browser {
	h.t.Helper()
	h.fake.AddPerson(productkittest.Person{Sub: sub, AccountID: testAccount, Email: sub + "@example.cm", Name: "Person " + sub, Rights: rights})
	h.fake.SignIn(sub)
	jar, _ := cookiejar.New(nil)
	b := &browser{h: h, client: &http.Client{Jar: jar}, sub: sub}
	status, body := b.get("/login")
	if status != 200 || !strings.Contains(body, sub+"@example.cm") {
		h.t.Fatalf("sign-in of %s: %d %s", sub, status, body)
	}
	return b
}

func (b *browser) do(req *http.Request) (int, string) {
	b.h.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) get(path string) (int, string) {
	req, _ := http.NewRequest("GET", b.h.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form as the panel's own pages do (same-origin), without
// following the redirect that answers a success.
func (b *browser) post(path string, form url.Values) (int, string) {
	req, _ := http.NewRequest("POST", b.h.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.h.srv.URL)
	noFollow := &browser{h: b.h, sub: b.sub, client: &http.Client{Jar: b.client.Jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	return noFollow.do(req)
}

// api calls the JSON API with a bearer access token for sub.
func (h *harness) api(sub, method, path, body string) (int, map[string]any) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if sub != "" {
		req.Header.Set("Authorization", "Bearer "+h.fake.AccessToken(sub, h.id, time.Hour))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// records reads a zone through the API with a reader's token.
func (h *harness) records(_ []string, domain string) []any {
	h.fake.AddPerson(productkittest.Person{Sub: "auditor", AccountID: testAccount, Rights: []string{"domain:read"}})
	status, out := h.api("auditor", "GET", "/api/domains/"+domain+"/records", "")
	if status != 200 {
		h.t.Fatalf("records of %s: %d %v", domain, status, out)
	}
	recs, _ := out["records"].([]any)
	return recs
}

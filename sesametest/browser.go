package sesametest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// Browser is an HTTP client with cookies that stays on Sésame: it follows
// redirects within Sésame and stops at the first redirect that leaves it
// (to a client's redirect URI), which it reports instead of following.
type Browser struct {
	t      testing.TB
	base   *url.URL
	Client *http.Client
}

// Page is a response with its body read.
type Page struct {
	Status   int
	URL      *url.URL // the URL that answered
	Location string   // for a redirect leaving Sésame: where to
	Header   http.Header
	Body     string
}

// NewBrowser returns a browser with an empty cookie jar for instance s.
func (s *Instance) NewBrowser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	base, _ := url.Parse(s.URL)
	b := &Browser{t: t, base: base}
	b.Client = &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != base.Host {
				return http.ErrUseLastResponse
			}
			if len(via) > 10 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
	return b
}

func (b *Browser) abs(u string) string {
	ref, err := url.Parse(u)
	if err != nil {
		b.t.Fatalf("bad URL %q: %v", u, err)
	}
	return b.base.ResolveReference(ref).String()
}

func (b *Browser) do(req *http.Request) Page {
	b.t.Helper()
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	resp, err := b.Client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := Page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(body)}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		p.Location = resp.Header.Get("Location")
	}
	return p
}

// Get loads a page.
func (b *Browser) Get(u string) Page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.abs(u), nil)
	return b.do(req)
}

// Post submits form values to u.
func (b *Browser) Post(u string, values url.Values) Page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.abs(u), strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// Submit fills the form of page p that has field (e.g. "password") with
// set (which replaces the form's values of the same names) and posts it.
func (b *Browser) Submit(p Page, field string, set url.Values) Page {
	b.t.Helper()
	forms, err := Forms(bytes.NewReader([]byte(p.Body)))
	if err != nil {
		b.t.Fatalf("parse %s: %v", p.URL, err)
	}
	f, ok := FormWithField(forms, field)
	if !ok {
		b.t.Fatalf("no form with field %q on %s (status %d):\n%s", field, p.URL, p.Status, p.Body)
	}
	values := f.Values
	for k, v := range set {
		values[k] = v
	}
	action := f.Action
	if action == "" {
		action = p.URL.String()
	}
	return b.Post(p.URL.ResolveReference(mustParse(action)).String(), values)
}

// SubmitAction is Submit for the form whose action is action.
func (b *Browser) SubmitAction(p Page, action string, set url.Values) Page {
	b.t.Helper()
	forms, err := Forms(bytes.NewReader([]byte(p.Body)))
	if err != nil {
		b.t.Fatalf("parse %s: %v", p.URL, err)
	}
	f, ok := FormWithAction(forms, action)
	if !ok {
		b.t.Fatalf("no form with action %q on %s", action, p.URL)
	}
	values := f.Values
	for k, v := range set {
		values[k] = v
	}
	return b.Post(p.URL.ResolveReference(mustParse(action)).String(), values)
}

// SignIn opens authURL (an authorization request), fills the login form
// with the credentials and returns the page that follows: a redirect
// leaving Sésame (Location set) when all went well.
func (b *Browser) SignIn(authURL, email, password, accountID string) Page {
	b.t.Helper()
	p := b.Get(authURL)
	if p.Location != "" {
		return p // already signed in
	}
	set := url.Values{"email": {email}, "password": {password}}
	if accountID != "" {
		set.Set("account_id", accountID)
		set.Set("tab", "member")
	}
	return b.Submit(p, "password", set)
}

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// NewWebBrowser returns a browser that follows every redirect, across
// hosts, like a real one: for journeys between products and Sésame. base
// resolves relative URLs.
func NewWebBrowser(t testing.TB, base string) *Browser {
	jar, _ := cookiejar.New(nil)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return &Browser{t: t, base: u, Client: &http.Client{Jar: jar}}
}

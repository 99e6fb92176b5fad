package e2e_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/sesametest"
)

var (
	otpauthPattern  = regexp.MustCompile(`<code id="otpauth-uri"[^>]*>([^<]+)</code>`)
	recoveryPattern = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)
)

// eachWithClock is sesametest.Each with a settable clock.
func eachWithClock(t *testing.T, fn func(t *testing.T, s *sesametest.Instance, clk *sesametest.Clock)) {
	t.Run("sqlite", func(t *testing.T) {
		clk := &sesametest.Clock{}
		fn(t, sesametest.Start(t, sesametest.Options{Now: clk.Now}), clk)
	})
	t.Run("postgres", func(t *testing.T) {
		clk := &sesametest.Clock{}
		fn(t, sesametest.Start(t, sesametest.Options{Postgres: true, Now: clk.Now}), clk)
	})
}

// enrolTOTP enrols an authenticator from the page p showing the
// enrolment and returns its URI and the recovery codes shown.
func enrolTOTP(t testing.TB, b *sesametest.Browser, p sesametest.Page, clk *sesametest.Clock) (string, []string, sesametest.Page) {
	t.Helper()
	uri, _, codes, done := enrolTOTPCode(t, b, p, clk)
	return uri, codes, done
}

// enrolTOTPCode is enrolTOTP that also returns the code that confirmed
// the enrolment.
func enrolTOTPCode(t testing.TB, b *sesametest.Browser, p sesametest.Page, clk *sesametest.Clock) (uri, code string, codes []string, done sesametest.Page) {
	t.Helper()
	m := otpauthPattern.FindStringSubmatch(p.Body)
	if m == nil || !strings.Contains(p.Body, `src="data:image/png;base64,`) {
		t.Fatalf("enrolment page without URI or QR code (%d):\n%s", p.Status, p.Body)
	}
	uri = html.UnescapeString(m[1])
	if u, err := url.Parse(uri); err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") == "" || u.Query().Get("issuer") == "" {
		t.Fatalf("otpauth URI %q", uri)
	}
	if bad := b.Submit(p, "code", url.Values{"code": {"12345"}}); bad.Status != http.StatusBadRequest {
		t.Fatalf("a malformed code at enrolment: %d", bad.Status)
	}
	code = sesametest.TOTPCode(t, uri, clk.Now())
	done = b.Submit(p, "code", url.Values{"code": {code}})
	for _, c := range recoveryPattern.FindAllStringSubmatch(done.Body, -1) {
		codes = append(codes, c[1])
	}
	if done.Status != http.StatusOK || len(codes) != 10 {
		t.Fatalf("confirmation: %d, %d recovery codes", done.Status, len(codes))
	}
	return uri, code, codes, done
}

// TestTOTP: an owner enrols an authenticator app, then signs a product in
// with a code, then with a recovery code; reused codes, codes outside the
// window and guessing are refused; the ID token says how.
func TestTOTP(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *sesametest.Instance, clk *sesametest.Clock) {
		w := seed(t, s)
		b := s.NewBrowser(t)
		if p := b.Submit(b.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}}); p.URL.Path != "/account" {
			t.Fatalf("sign-in: %s", p.URL)
		}
		uri, enrolCode, codes, _ := enrolTOTPCode(t, b, b.Get("/account/security"), clk)
		if p := b.Get("/account/security"); otpauthPattern.MatchString(p.Body) || !strings.Contains(p.Body, "10") {
			t.Fatal("the security page shows the secret again after enrolment")
		}

		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		signIn := func() (*sesametest.Browser, sesametest.Flow, sesametest.Page) {
			nb := s.NewBrowser(t)
			flow := rp.Start()
			p := nb.SignIn(flow.URL, ownerEmail, ownerPassword, "")
			if p.Location != "" || p.URL.Path != "/login" || !strings.Contains(p.Body, `name="code"`) {
				t.Fatalf("no second step after the password: %d %s", p.Status, p.URL)
			}
			if a := nb.Get("/account"); a.URL.Path != "/login" {
				t.Fatal("a browser session exists before the second step")
			}
			return nb, flow, p
		}
		nb, flow, p := signIn()
		// The code that confirmed the enrolment is spent (the same code:
		// one recomputed now may be of the next 30 s step).
		if r := nb.Submit(p, "code", url.Values{"code": {enrolCode}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("reused code: %d", r.Status)
		}
		if r := nb.Submit(p, "code", url.Values{"code": {sesametest.TOTPCode(t, uri, clk.Now().Add(3*time.Minute))}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("code outside the window: %d", r.Status)
		}
		// The next step's code (one step of drift is allowed).
		r := nb.Submit(p, "code", url.Values{"code": {sesametest.TOTPCode(t, uri, clk.Now().Add(30*time.Second))}})
		if r.Location == "" {
			t.Fatalf("second step: %d %s", r.Status, r.URL)
		}
		tok, err := rp.Exchange(flow, rp.Callback(flow, r.Location))
		if err != nil {
			t.Fatal(err)
		}
		claims := rp.VerifyID(flow, tok)
		if amr, _ := claims["amr"].([]any); !slices.Equal(amr, []any{"pwd", "otp", "mfa"}) || claims["acr"] != "urn:sesame:mfa" {
			t.Fatalf("amr %v acr %v", claims["amr"], claims["acr"])
		}

		// A recovery code serves once.
		nb2, flow2, p2 := signIn()
		r = nb2.Submit(p2, "code", url.Values{"code": {strings.ToUpper(codes[0])}})
		if r.Location == "" {
			t.Fatalf("recovery code: %d", r.Status)
		}
		if _, err := rp.Exchange(flow2, rp.Callback(flow2, r.Location)); err != nil {
			t.Fatal(err)
		}
		nb3, _, p3 := signIn()
		if r := nb3.Submit(p3, "code", url.Values{"code": {codes[0]}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("recovery code used twice: %d", r.Status)
		}

		// Guessing is throttled like passwords.
		nb4, _, p4 := signIn()
		throttled := false
		for i := 0; i < 12 && !throttled; i++ {
			r := nb4.Submit(p4, "code", url.Values{"code": {"000000"}})
			throttled = r.Status == http.StatusTooManyRequests && r.Header.Get("Retry-After") != ""
		}
		if !throttled {
			t.Fatal("twelve wrong codes were not throttled")
		}
		// A forged or expired second step opens nothing.
		if r := nb4.Post("/login/second-step", url.Values{"pending": {"forged"}, "code": {"000000"}}); r.Status != http.StatusBadRequest && r.Status != http.StatusForbidden {
			t.Fatalf("forged second step: %d", r.Status)
		}
		clk.Advance(16 * time.Minute) // past the second step and the throttling window
		if r := nb4.Submit(p4, "code", url.Values{"code": {"000000"}}); r.Status != http.StatusBadRequest {
			t.Fatalf("expired second step: %d", r.Status)
		}

		// New recovery codes replace the old ones.
		regen := b.SubmitAction(b.Get("/account/security"), "/account/security/recovery-codes", nil)
		if fresh := recoveryPattern.FindAllStringSubmatch(regen.Body, -1); regen.Status != http.StatusOK || len(fresh) != 10 || fresh[0][1] == codes[1] {
			t.Fatalf("regenerated codes: %d, %d", regen.Status, len(fresh))
		}
		nb5, _, p5 := signIn()
		if r := nb5.Submit(p5, "code", url.Values{"code": {codes[1]}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("an old recovery code after regeneration: %d", r.Status)
		}
	})
}

// TestStepUp: a product asking for acr urn:sesame:mfa makes a
// password-only session sign in again; a person without a second factor
// enrols on the way, and the authorization request resumes.
func TestStepUp(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *sesametest.Instance, clk *sesametest.Clock) {
		w := seed(t, s)
		const email, pw = "tech@example.cm", "Technicien#2026"
		addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		b := s.NewBrowser(t)
		flow := rp.Start()
		tok, err := rp.Exchange(flow, rp.Callback(flow, b.SignIn(flow.URL, email, pw, w.AccountID).Location))
		if err != nil {
			t.Fatal(err)
		}
		claims := rp.VerifyID(flow, tok)
		if amr, _ := claims["amr"].([]any); !slices.Equal(amr, []any{"pwd"}) || claims["acr"] != nil {
			t.Fatalf("password-only: amr %v acr %v", claims["amr"], claims["acr"])
		}
		flow = rp.Start(oauth2.SetAuthURLParam("acr_values", "urn:sesame:mfa"))
		p := b.Get(flow.URL)
		if p.Location != "" || p.URL.Path != "/login" {
			t.Fatalf("step-up did not ask to sign in again: %d %s", p.Status, p.URL)
		}
		p = b.Submit(p, "password", url.Values{"email": {email}, "password": {pw}, "account_id": {w.AccountID}, "tab": {"member"}})
		uri, _, done := enrolTOTP(t, b, p, clk)
		m := regexp.MustCompile(`href="([^"]+)">`).FindAllStringSubmatch(done.Body, -1)
		var next string
		for _, x := range m {
			if strings.Contains(x[1], "resume") {
				next = html.UnescapeString(x[1])
			}
		}
		r := b.Get(next)
		if r.Location == "" {
			t.Fatalf("the authorization request did not resume: %d %s", r.Status, r.URL)
		}
		tok, err = rp.Exchange(flow, rp.Callback(flow, r.Location))
		if err != nil {
			t.Fatal(err)
		}
		if claims := rp.VerifyID(flow, tok); claims["acr"] != "urn:sesame:mfa" {
			t.Fatalf("after step-up: acr %v", claims["acr"])
		}
		// The session has a second factor now: the same request passes
		// without a page, and max_age=0 asks for both steps again.
		flow = rp.Start(oauth2.SetAuthURLParam("acr_values", "urn:sesame:mfa"))
		if p := b.Get(flow.URL); p.Location == "" {
			t.Fatalf("a session with a second factor was asked again: %d %s", p.Status, p.URL)
		}
		flow = rp.Start(oauth2.SetAuthURLParam("max_age", "0"))
		p = b.Get(flow.URL)
		if p.Location != "" || p.URL.Path != "/login" {
			t.Fatalf("max_age=0 did not ask to sign in: %d %s", p.Status, p.URL)
		}
		p = b.Submit(p, "password", url.Values{"email": {email}, "password": {pw}, "account_id": {w.AccountID}, "tab": {"member"}})
		if !strings.Contains(p.Body, `name="code"`) || otpauthPattern.MatchString(p.Body) {
			t.Fatalf("max_age=0: no second step (%d)", p.Status)
		}
		r = b.Submit(p, "code", url.Values{"code": {sesametest.TOTPCode(t, uri, clk.Now().Add(30*time.Second))}})
		if tok, err = rp.Exchange(flow, rp.Callback(flow, r.Location)); err != nil {
			t.Fatal(err)
		}
		if amr, _ := rp.VerifyID(flow, tok)["amr"].([]any); !slices.Equal(amr, []any{"pwd", "otp", "mfa"}) {
			t.Fatalf("after max_age=0: amr %v", amr)
		}
	})
}

// TestRequireMFA: the owner requires a second factor of login accounts;
// a login account without one, even already signed in, enrols before it
// reaches a product. Only the owner may set the policy; the console shows
// who has a second factor.
func TestRequireMFA(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *sesametest.Instance, clk *sesametest.Clock) {
		w := seed(t, s)
		const email, pw = "tech@example.cm", "Technicien#2026"
		addLoginAccount(t, s, w.AccountID, email, pw, "server:read", "members:manage")
		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		b := s.NewBrowser(t)
		flow := rp.Start()
		if _, err := rp.Exchange(flow, rp.Callback(flow, b.SignIn(flow.URL, email, pw, w.AccountID).Location)); err != nil {
			t.Fatal(err)
		}

		policy := s.URL + "/api/v1/accounts/" + w.AccountID
		manager := signInToken(t, w, email, pw, w.AccountID)
		if st, body := apiCall(t, http.MethodPatch, policy, manager, map[string]any{"require_mfa": true}); st != http.StatusForbidden || body["error"] != "forbidden" {
			t.Fatalf("a login account set the policy: %d %v", st, body)
		}
		owner := signInToken(t, w, ownerEmail, ownerPassword, "")
		if st, body := apiCall(t, http.MethodPatch, policy, owner, map[string]any{"require_mfa": "yes"}); st != http.StatusBadRequest || body["error"] == nil {
			t.Fatalf("a malformed policy: %d %v", st, body)
		}
		if st, body := apiCall(t, http.MethodPatch, policy, owner, map[string]any{"require_mfa": true}); st != http.StatusOK || body["require_mfa"] != true {
			t.Fatalf("policy: %d %v", st, body)
		}

		// The session without a second factor reaches no product now.
		flow = rp.Start()
		p := b.Get(flow.URL)
		if p.Location != "" || p.URL.Path != "/login" {
			t.Fatalf("a login account without a second factor reached the product: %d %s", p.Status, p.URL)
		}
		p = b.Submit(p, "password", url.Values{"email": {email}, "password": {pw}, "account_id": {w.AccountID}, "tab": {"member"}})
		if !strings.Contains(p.Body, "exige une double authentification") {
			t.Fatalf("no enrolment at sign-in:\n%s", p.Body)
		}
		_, _, done := enrolTOTP(t, b, p, clk)
		next := regexp.MustCompile(`href="(/oauth2/auth/resume[^"]+)"`).FindStringSubmatch(done.Body)
		if next == nil {
			t.Fatal("no way on to the product after enrolment")
		}
		r := b.Get(html.UnescapeString(next[1]))
		tok, err := rp.Exchange(flow, rp.Callback(flow, r.Location))
		if err != nil {
			t.Fatal(err)
		}
		if claims := rp.VerifyID(flow, tok); claims["acr"] != "urn:sesame:mfa" {
			t.Fatalf("acr %v", claims["acr"])
		}

		// The owner's console shows who has a second factor, and turns the
		// policy off.
		ob := s.NewBrowser(t)
		ob.Submit(ob.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
		c := ob.Get("/console/members")
		if !regexp.MustCompile(`(?s)tech@example.cm.*?Activée`).MatchString(c.Body) || !strings.Contains(c.Body, `name="require_mfa" value="1" checked`) {
			t.Fatalf("console:\n%s", c.Body)
		}
		// The owner resets the login account's second factor: it enrols
		// again at its next sign-in, as the policy still requires.
		techID := regexp.MustCompile(`href="/console/members/(m_[a-z0-9]+)"`).FindStringSubmatch(c.Body)
		if techID == nil {
			t.Fatal("no link to the login account")
		}
		mp := ob.Get("/console/members/" + techID[1])
		c = ob.SubmitAction(mp, "/console/members/"+techID[1]+"/reset-mfa", nil)
		if c.Status != http.StatusOK || regexp.MustCompile(`(?s)tech@example.cm.*?Activée`).MatchString(c.Body) {
			t.Fatalf("reset from the console: %d", c.Status)
		}
		nb := s.NewBrowser(t)
		p = nb.SignIn(rp.Start().URL, email, pw, w.AccountID)
		if !otpauthPattern.MatchString(p.Body) {
			t.Fatalf("no enrolment after the owner's reset (%d)", p.Status)
		}

		c = ob.SubmitAction(c, "/console/mfa-policy", url.Values{"require_mfa": nil})
		if c.Status != http.StatusOK || strings.Contains(c.Body, `value="1" checked`) {
			t.Fatalf("policy off from the console: %d", c.Status)
		}
	})
}

// TestAdminSecondFactor: a platform admin enrols a second factor at the
// first sign-in and passes the second step at every later one; a
// password alone opens nothing.
func TestAdminSecondFactor(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *sesametest.Instance, clk *sesametest.Clock) {
		adm, err := s.Accounts.CreateAdmin(t.Context(), adminEmail, adminPassword)
		if err != nil {
			t.Fatal(err)
		}
		b := s.NewBrowser(t)
		p := b.Submit(b.Get("/admin/login"), "password", url.Values{"email": {adminEmail}, "password": {adminPassword}})
		if b.Get("/admin").URL.Path != "/admin/login" {
			t.Fatal("an admin without a second factor reached the admin area")
		}
		uri, _, done := enrolTOTP(t, b, p, clk)
		if !strings.Contains(done.Body, `href="/admin"`) {
			t.Fatal("no way on to the admin area after enrolment")
		}
		if p := b.Get("/admin"); p.URL.Path != "/admin" || !strings.Contains(p.Body, `href="/account/security"`) {
			t.Fatalf("after enrolment: %s", p.URL)
		}
		// The admin manages their own second factors, like anyone.
		sec := b.Get("/account/security")
		if sec.URL.Path != "/account/security" || !strings.Contains(sec.Body, `href="/admin"`) || otpauthPattern.MatchString(sec.Body) {
			t.Fatalf("admin security page: %d %s", sec.Status, sec.URL)
		}
		regen := b.SubmitAction(sec, "/account/security/recovery-codes", nil)
		if fresh := recoveryPattern.FindAllStringSubmatch(regen.Body, -1); regen.Status != http.StatusOK || len(fresh) != 10 {
			t.Fatalf("admin regenerates recovery codes: %d, %d", regen.Status, len(fresh))
		}

		other := s.NewBrowser(t)
		p = other.Submit(other.Get("/admin/login"), "password", url.Values{"email": {adminEmail}, "password": {adminPassword}})
		if !strings.Contains(p.Body, `name="code"`) || otpauthPattern.MatchString(p.Body) {
			t.Fatalf("no second step for the admin (%d)", p.Status)
		}
		if other.Get("/admin").URL.Path != "/admin/login" {
			t.Fatal("a password alone opened the admin area")
		}
		if r := other.Submit(p, "code", url.Values{"code": {sesametest.TOTPCode(t, uri, clk.Now().Add(30*time.Second))}}); r.URL.Path != "/admin" || r.Status != http.StatusOK {
			t.Fatalf("second step: %d %s", r.Status, r.URL)
		}
		// After a reset, the admin enrols again.
		if err := s.Accounts.ResetSecondFactors(t.Context(), adm.ID, "operator (CLI)", ""); err != nil {
			t.Fatal(err)
		}
		third := s.NewBrowser(t)
		p = third.Submit(third.Get("/admin/login"), "password", url.Values{"email": {adminEmail}, "password": {adminPassword}})
		if !otpauthPattern.MatchString(p.Body) {
			t.Fatalf("no enrolment after the reset (%d)", p.Status)
		}
	})
}

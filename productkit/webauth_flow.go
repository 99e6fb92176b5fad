package productkit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"
)

// flowTTL is how long a started sign-in may take.
const flowTTL = 10 * time.Minute

// flow is what the login route remembers, sealed in a short-lived cookie
// named after the state, until the callback.
type flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
	// StepUp, in seconds, marks a sign-in asked by RequireStepUp: the ID
	// token must then carry ACRSecondFactor and an auth_time at most that
	// old, and Sub, when set, must be its subject.
	StepUp int64  `json:"su,omitempty"`
	Sub    string `json:"sub,omitempty"`
}

// flowCookie names the cookie of the sign-in started with state: one per
// sign-in, so that two tabs signing in at once do not break each other.
func (w *WebAuth) flowCookie(state string) string {
	h := sha256.Sum256([]byte(state))
	return w.prefix + "_flow_" + hex.EncodeToString(h[:8])
}

// oauthConfig is the product's client at Sésame. Its authentication at the
// token endpoint is fixed to client_secret_basic (Sésame's default for
// confidential clients): left to detection, x/oauth2 retries a refused
// refresh with client_secret_post and reports that second, misleading
// invalid_client error instead of the real invalid_grant.
func (w *WebAuth) oauthConfig(d *Discovery) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     w.cfg.ClientID,
		ClientSecret: w.cfg.ClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: d.AuthorizationEndpoint, TokenURL: d.TokenEndpoint, AuthStyle: oauth2.AuthStyleInHeader},
		RedirectURL:  w.cfg.RedirectURL,
		Scopes:       w.cfg.Scopes,
	}
}

// clientContext carries the issuer's HTTP client to x/oauth2, detached from
// the request's cancellation: a token exchange or refresh that Sésame
// completed must not be lost because the browser went away (the refresh
// token would be rotated, and its next use taken for a reuse).
func (w *WebAuth) clientContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx = context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, w.issuer.client)
	return context.WithTimeout(ctx, 15*time.Second)
}

// login starts a sign-in: new state, nonce and PKCE verifier, sealed in a
// cookie, then a redirect to Sésame's authorization endpoint.
func (w *WebAuth) login(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	d, err := w.issuer.Discover(c.Request.Context())
	if err != nil {
		w.log.WarnContext(c.Request.Context(), "productkit: sign-in: issuer unreachable", "err", err)
		browserAnswer{w}.unavailable(c)
		return
	}
	next := safeNext(c.Query("next"))
	if next == "" {
		next = w.cfg.AfterLogin
	}
	f := flow{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Next: next}
	f.StepUp = stepUpSeconds(c.Query(stepUpParam))
	if f.StepUp > 0 {
		if s, ok := w.load(c); ok {
			f.Sub = s.Identity.Sub
		}
	}
	exp := w.issuer.now().Add(flowTTL)
	if err := w.jar.write(c.Writer, c.Request, w.flowCookie(f.State), f, exp); err != nil {
		w.log.ErrorContext(c.Request.Context(), "productkit: sign-in: flow cookie", "err", err)
		w.page(c, http.StatusInternalServerError, pageView{TitleKey: "signin_failed", BodyKey: "signin_failed_body", Home: true})
		return
	}
	opts := []oauth2.AuthCodeOption{
		oidc.Nonce(f.Nonce),
		oauth2.S256ChallengeOption(f.Verifier),
		oauth2.SetAuthURLParam("ui_locales", Lang(c)),
	}
	if p := c.Query("prompt"); p == "login" || p == "select_account" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", p))
	}
	if f.StepUp > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", ACRSecondFactor),
			oauth2.SetAuthURLParam("max_age", strconv.FormatInt(f.StepUp, 10)))
	}
	c.Redirect(http.StatusSeeOther, w.oauthConfig(d).AuthCodeURL(f.State, opts...))
}

// callback finishes a sign-in: the state must name a flow cookie of this
// browser, the code is exchanged with the PKCE verifier, the ID token is
// verified (signature, issuer, audience, expiry, typ) and its nonce
// compared, then the session cookie is written.
func (w *WebAuth) callback(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	ctx := c.Request.Context()
	failed := pageView{TitleKey: "signin_failed", BodyKey: "signin_failed_body", Retry: true}
	state := c.Query("state")
	if state == "" || len(state) > 256 {
		w.page(c, http.StatusBadRequest, failed)
		return
	}
	name := w.flowCookie(state)
	var f flow
	err := w.jar.read(c.Request, name, &f)
	w.jar.clear(c.Writer, c.Request, name)
	if err != nil || subtle.ConstantTimeCompare([]byte(f.State), []byte(state)) != 1 {
		w.log.InfoContext(ctx, "productkit: callback without a matching sign-in")
		w.page(c, http.StatusBadRequest, failed)
		return
	}
	if e := c.Query("error"); e != "" {
		w.log.InfoContext(ctx, "productkit: sign-in refused by the issuer", "error", e)
		failed.BodyKey = "signin_denied_body"
		w.page(c, http.StatusForbidden, failed)
		return
	}
	code := c.Query("code")
	d, err := w.issuer.Discover(ctx)
	if code == "" || err != nil {
		w.page(c, http.StatusBadRequest, failed)
		return
	}
	xctx, cancel := w.clientContext(ctx)
	defer cancel()
	tok, err := w.oauthConfig(d).Exchange(xctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		w.log.WarnContext(ctx, "productkit: code exchange failed", "err", err)
		w.page(c, http.StatusBadGateway, failed)
		return
	}
	now := w.issuer.now()
	s, err := w.sessionFrom(ctx, tok, nil, f.Nonce)
	if err != nil {
		w.log.WarnContext(ctx, "productkit: tokens refused at sign-in", "err", err)
		w.page(c, http.StatusBadGateway, failed)
		return
	}
	if f.StepUp > 0 && !w.steppedUp(s, f) {
		w.log.WarnContext(ctx, "productkit: step-up not done by the issuer", "sub", s.Identity.Sub, "acr", s.ACR)
		failed.BodyKey = "stepup_failed_body"
		w.page(c, http.StatusForbidden, failed)
		return
	}
	s.Since, s.Auth = now.Unix(), s.Iat
	if err := w.saveSession(c, s); err != nil {
		w.log.ErrorContext(ctx, "productkit: session cookie", "err", err)
		w.page(c, http.StatusInternalServerError, failed)
		return
	}
	w.log.InfoContext(ctx, "productkit: signed in", "sub", s.Identity.Sub, "account_id", s.Identity.AccountID)
	c.Redirect(http.StatusSeeOther, f.Next)
}

// revoke asks Sésame to revoke a refresh token (RFC 7009). A failure is
// only logged: the local session is gone either way.
func (w *WebAuth) revoke(ctx context.Context, endpoint, token string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	form := url.Values{"token": {token}, "token_type_hint": {"refresh_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(w.cfg.ClientID), url.QueryEscape(w.cfg.ClientSecret))
	resp, err := w.issuer.client.Do(req)
	if err != nil {
		w.log.WarnContext(ctx, "productkit: revocation failed", "err", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		w.log.WarnContext(ctx, "productkit: revocation refused", "status", resp.StatusCode)
	}
}

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

package conformance_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// TestBackchannelLogoutOP walks the modules of the Back-Channel Logout OP
// plan (oidcc-backchannel-rp-initiated-logout-certification-test-plan):
// discovery, then an RP-initiated logout whose logout token must reach
// the client's backchannel_logout_uri and pass every check the suite
// makes of it.
func TestBackchannelLogoutOP(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	eachOP(t, func(t *testing.T, o *op) {
		t.Run("oidcc-backchannel-logout-discovery-endpoint-verification", func(t *testing.T) {
			// CheckDiscEndpointBackchannelLogoutSupported,
			// CheckDiscEndpointBackchannelLogoutSessionSupported (required
			// for certification), CheckDiscEndSessionEndpoint.
			for _, k := range []string{"backchannel_logout_supported", "backchannel_logout_session_supported"} {
				if o.discovered[k] != true {
					t.Errorf("%s = %v, want true", k, o.discovered[k])
				}
			}
			if e, _ := o.discovered["end_session_endpoint"].(string); !strings.HasPrefix(e, o.URL+"/") {
				t.Errorf("end_session_endpoint = %q", e)
			}
			// CheckDiscEndpointAllEndpointsAreHttps: every *_endpoint is an
			// absolute URL of the issuer (https in production, where the
			// issuer is; this instance listens on loopback).
			for k, v := range o.discovered {
				if !strings.HasSuffix(k, "_endpoint") {
					continue
				}
				if s, _ := v.(string); !strings.HasPrefix(s, o.URL+"/") {
					t.Errorf("%s = %v, not a URL of the issuer %s", k, v, o.URL)
				}
			}
		})

		t.Run("oidcc-backchannel-rp-initiated-logout", func(t *testing.T) {
			// The static registration the module asks for: the client's
			// backchannel_logout_uri and post_logout_redirect_uri.
			rcv := newLogoutReceiver(t)
			c := o.register(t, &sqlstore.Client{ID: "suite-bcl", Name: "Conformance suite (back-channel)",
				TokenEndpointAuthMethod: sqlstore.AuthClientSecretBasic, BackchannelLogoutURI: rcv.URL + "/backchannel_logout"})
			r := o.rp(t, c)
			b := o.NewBrowser(t)
			tok := r.signIn(b)
			sid, _ := tok.claims["sid"].(string)
			if sid == "" {
				t.Fatalf("the ID token has no sid: %v", tok.claims)
			}

			endSession := o.discovered["end_session_endpoint"].(string)
			p := b.Get(endSession + "?" + url.Values{"id_token_hint": {tok.raw}, "post_logout_redirect_uri": {postLogoutURI}, "state": {"bcl-state"}}.Encode())
			// CheckPostLogoutState, CheckForUnexpectedParametersInPostLogoutRedirect.
			if p.Location != postLogoutURI+"?state=bcl-state" {
				t.Fatalf("logout redirected to %q, want %s?state=bcl-state", p.Location, postLogoutURI)
			}

			req := rcv.next(t)
			checkLogoutRequest(t, req)
			raw := req.form.Get("logout_token")
			claims := r.checkLogoutToken(raw, tok)
			if claims["sid"] != sid {
				t.Errorf("CheckIdTokenSidMatchesLogoutToken: sid %v, ID token's %s", claims["sid"], sid)
			}

			// The prompt=none request that ends the module: signed out.
			q := r.authRequest(oauth2.SetAuthURLParam("prompt", "none"))
			r.authError(q, callback(t, b.Get(q.url).Location), "login_required")

			// A second session gives a second token: its own sid and jti.
			b2 := o.NewBrowser(t)
			tok2 := r.signIn(b2)
			b2.Get(endSession + "?" + url.Values{"id_token_hint": {tok2.raw}, "post_logout_redirect_uri": {postLogoutURI}}.Encode())
			req2 := rcv.next(t)
			checkLogoutRequest(t, req2)
			claims2 := r.checkLogoutToken(req2.form.Get("logout_token"), tok2)
			if claims2["jti"] == claims["jti"] || claims2["sid"] == claims["sid"] || claims2["sid"] != tok2.claims["sid"] {
				t.Errorf("second logout: jti %v sid %v, first jti %v sid %v, ID token sid %v",
					claims2["jti"], claims2["sid"], claims["jti"], claims["sid"], tok2.claims["sid"])
			}
		})
	})
}

// logoutRequest is one request the client's back-channel received.
type logoutRequest struct {
	method, contentType string
	form                url.Values
}

// logoutReceiver is the client's backchannel_logout_uri. It answers 200
// with Cache-Control: no-store, as the module's endpoint does.
type logoutReceiver struct {
	*httptest.Server
	got chan logoutRequest
}

func newLogoutReceiver(t *testing.T) *logoutReceiver {
	r := &logoutReceiver{got: make(chan logoutRequest, 10)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_ = req.ParseForm()
		r.got <- logoutRequest{method: req.Method, contentType: req.Header.Get("Content-Type"), form: req.PostForm}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *logoutReceiver) next(t *testing.T) logoutRequest {
	t.Helper()
	select {
	case req := <-r.got:
		return req
	case <-time.After(10 * time.Second):
		t.Fatal("nothing posted to the backchannel_logout_uri within 10 s")
		return logoutRequest{}
	}
}

// checkLogoutRequest: a form POST (OIDCBCL 2.5) whose only parameter is
// logout_token (ExtractLogoutTokenFromBackchannelLogoutRequest,
// CheckForUnexpectedParametersInBackchannelLogoutRequest).
func checkLogoutRequest(t *testing.T, req logoutRequest) {
	t.Helper()
	if req.method != http.MethodPost || req.contentType != "application/x-www-form-urlencoded" {
		t.Errorf("back-channel request: %s %q, want a POST of application/x-www-form-urlencoded", req.method, req.contentType)
	}
	if len(req.form) != 1 || len(req.form["logout_token"]) != 1 {
		t.Errorf("back-channel parameters %v, want logout_token alone", req.form)
	}
}

// checkLogoutToken makes every check of the module on raw, a logout token
// after the sign-in that gave tok, and returns its claims:
// ValidateLogoutTokenSignature (a key of the JWKS, the client's ID-token
// algorithm), ValidateLogoutTokenClaims (iss, aud, iat, jti, events),
// CheckIdTokenSubMatchesLogoutToken, CheckLogoutTokenNoNonce,
// CheckLogoutTokenHasSubOrSid; and OIDCBCL 2.4's typ and exp.
func (r *rp) checkLogoutToken(raw string, tok tokens) map[string]any {
	t := r.t
	t.Helper()
	h := jwtHeader(t, raw)
	if h["typ"] != "logout+jwt" {
		t.Errorf("typ = %v, want logout+jwt", h["typ"])
	}
	if h["alg"] != jwtHeader(t, tok.raw)["alg"] || h["alg"] != sqlstore.AlgRS256 {
		t.Errorf("alg = %v, want the client's ID-token algorithm %v", h["alg"], jwtHeader(t, tok.raw)["alg"])
	}
	if kid, _ := h["kid"].(string); kid == "" {
		t.Error("no kid in the header")
	}
	var jwks struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := r.provider.Claims(&jwks); err != nil {
		t.Fatal(err)
	}
	payload, err := oidc.NewRemoteKeySet(context.Background(), jwks.JWKSURI).VerifySignature(context.Background(), raw)
	if err != nil {
		t.Fatalf("ValidateLogoutTokenSignature: %v", err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}

	if claims["iss"] != r.o.URL {
		t.Errorf("iss = %v, want %s", claims["iss"], r.o.URL)
	}
	switch aud := claims["aud"].(type) {
	case string:
		if aud != r.cfg.ClientID {
			t.Errorf("aud = %q, want %s", aud, r.cfg.ClientID)
		}
	default:
		if !slices.Contains(strs(aud), r.cfg.ClientID) {
			t.Errorf("aud = %v, want %s", aud, r.cfg.ClientID)
		}
	}
	now := time.Now()
	iat, ok := claims["iat"].(float64)
	switch at := time.Unix(int64(iat), 0); {
	case !ok:
		t.Errorf("iat = %v, want a number", claims["iat"])
	case at.After(now.Add(5 * time.Minute)):
		t.Errorf("iat %s is in the future", at)
	case at.Before(now.Add(-24 * time.Hour)):
		t.Errorf("iat %s is more than a day old", at)
	}
	if exp, ok := claims["exp"].(float64); !ok || exp <= iat || time.Unix(int64(exp), 0).Before(now) {
		t.Errorf("exp = %v (iat %v), want a future time after iat", claims["exp"], iat)
	}
	if jti, _ := claims["jti"].(string); jti == "" {
		t.Errorf("jti = %v, want a string", claims["jti"])
	}
	events, _ := claims["events"].(map[string]any)
	if ev, ok := events[backchannelLogoutEvent].(map[string]any); len(events) != 1 || !ok || len(ev) != 0 {
		t.Errorf("events = %v, want {%q: {}} alone", claims["events"], backchannelLogoutEvent)
	}
	if _, ok := claims["nonce"]; ok {
		t.Error("the logout token has a nonce")
	}
	if claims["sub"] == nil && claims["sid"] == nil {
		t.Error("neither sub nor sid")
	}
	if claims["sub"] != nil && claims["sub"] != tok.id.Subject {
		t.Errorf("sub = %v, the ID token's %s", claims["sub"], tok.id.Subject)
	}
	return claims
}

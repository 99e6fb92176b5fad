package sqlstore_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// checkRequest compares what the store returned with what was stored.
func checkRequest(t *testing.T, got fosite.Requester, want *fosite.Request) {
	t.Helper()
	if got == nil {
		t.Fatal("no request returned")
	}
	if got.GetID() != want.ID {
		t.Errorf("ID = %q, want %q", got.GetID(), want.ID)
	}
	if !got.GetRequestedAt().Equal(want.RequestedAt) {
		t.Errorf("RequestedAt = %v, want %v", got.GetRequestedAt(), want.RequestedAt)
	}
	c, ok := got.GetClient().(*sqlstore.Client)
	if !ok || c.ID != want.Client.GetID() || c.Name == "" {
		t.Errorf("client = %#v, want the stored client %q", got.GetClient(), want.Client.GetID())
	}
	for _, l := range []struct {
		name      string
		got, want fosite.Arguments
	}{
		{"requested scopes", got.GetRequestedScopes(), want.RequestedScope},
		{"granted scopes", got.GetGrantedScopes(), want.GrantedScope},
		{"requested audience", got.GetRequestedAudience(), want.RequestedAudience},
		{"granted audience", got.GetGrantedAudience(), want.GrantedAudience},
	} {
		if !reflect.DeepEqual([]string(l.got), []string(l.want)) {
			t.Errorf("%s = %q, want %q", l.name, l.got, l.want)
		}
	}
	if !reflect.DeepEqual(got.GetRequestForm(), want.Form) {
		t.Errorf("form = %v, want %v", got.GetRequestForm(), want.Form)
	}
	checkSession(t, got.GetSession(), want.Session.(*testSession))
}

// checkSession compares a decoded session with the stored one, field by
// field where fosite reads them and as JSON for the rest.
func checkSession(t *testing.T, got fosite.Session, want *testSession) {
	t.Helper()
	s, ok := got.(*testSession)
	if !ok || s == nil || s.DefaultSession == nil {
		t.Fatalf("session = %#v, want a *testSession", got)
	}
	for _, k := range []fosite.TokenType{fosite.AuthorizeCode, fosite.AccessToken, fosite.RefreshToken} {
		if g, w := s.GetExpiresAt(k), want.GetExpiresAt(k); !g.Equal(w) || g.IsZero() {
			t.Errorf("ExpiresAt[%s] = %v, want %v", k, g, w)
		}
	}
	if s.GetSubject() != want.Subject || s.AccountID != want.AccountID || !reflect.DeepEqual(s.Rights, want.Rights) {
		t.Errorf("session = %+v, want %+v", s, want)
	}
	if !s.IDTokenClaims().AuthTime.Equal(want.Claims.AuthTime) || s.IDTokenHeaders().Get("kid") != "k1" {
		t.Errorf("claims/headers = %+v %+v", s.Claims, s.Headers)
	}
	g, _ := json.Marshal(s)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("session JSON\n got %s\nwant %s", g, w)
	}
}

func TestAuthorizeCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "sub-1")
		if err := st.CreateAuthorizeCodeSession(ctx, "code-sig", req); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateAuthorizeCodeSession(ctx, "code-sig", req); !errors.Is(err, db.ErrAlreadyExists) {
			t.Errorf("second create = %v, want ErrAlreadyExists", err)
		}

		sess := newSession()
		got, err := st.GetAuthorizeCodeSession(ctx, "code-sig", sess)
		if err != nil {
			t.Fatal(err)
		}
		checkRequest(t, got, req)
		if got.GetSession() != fosite.Session(sess) {
			t.Error("the session passed in was not the one filled")
		}

		if err := st.InvalidateAuthorizeCodeSession(ctx, "code-sig"); err != nil {
			t.Fatal(err)
		}
		got, err = st.GetAuthorizeCodeSession(ctx, "code-sig", newSession())
		if !errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
			t.Fatalf("get used code: %v, want ErrInvalidatedAuthorizeCode", err)
		}
		checkRequest(t, got, req)
		if err := st.InvalidateAuthorizeCodeSession(ctx, "code-sig"); !errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
			t.Errorf("second invalidate = %v, want ErrInvalidatedAuthorizeCode", err)
		}

		if _, err := st.GetAuthorizeCodeSession(ctx, "nope", newSession()); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("get unknown code: %v, want ErrNotFound", err)
		}
		if err := st.InvalidateAuthorizeCodeSession(ctx, "nope"); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("invalidate unknown code: %v, want ErrNotFound", err)
		}
	})
}

func TestAccessToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		c := newClient(t, st, "panel")
		req := newRequest(c, "req-1", "sub-1")
		other := newRequest(c, "req-2", "sub-1")
		for sig, r := range map[string]*fosite.Request{"at-1": req, "at-2": req, "at-3": other} {
			if err := st.CreateAccessTokenSession(ctx, sig, r); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.GetAccessTokenSession(ctx, "at-1", newSession())
		if err != nil {
			t.Fatal(err)
		}
		checkRequest(t, got, req)

		// fosite's revocation handler passes no session.
		got, err = st.GetAccessTokenSession(ctx, "at-1", nil)
		if err != nil || got.GetID() != "req-1" || got.GetClient().GetID() != "panel" {
			t.Fatalf("get without session = %v, %v", got, err)
		}

		if err := st.RevokeAccessToken(ctx, "req-1"); err != nil {
			t.Fatal(err)
		}
		for _, sig := range []string{"at-1", "at-2"} {
			got, err := st.GetAccessTokenSession(ctx, sig, newSession())
			if !errors.Is(err, fosite.ErrInactiveToken) || got == nil || got.GetID() != "req-1" {
				t.Errorf("get revoked %s = %v, %v; want request and ErrInactiveToken", sig, got, err)
			}
		}
		if _, err := st.GetAccessTokenSession(ctx, "at-3", newSession()); err != nil {
			t.Errorf("token of another grant: %v", err)
		}
		if err := st.RevokeAccessToken(ctx, "no-such-request"); err != nil {
			t.Errorf("revoke unknown grant: %v", err)
		}

		if err := st.DeleteAccessTokenSession(ctx, "at-3"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetAccessTokenSession(ctx, "at-3", newSession()); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("get deleted: %v, want ErrNotFound", err)
		}
		if err := st.DeleteAccessTokenSession(ctx, "at-3"); err != nil {
			t.Errorf("delete twice: %v", err)
		}
	})
}

func TestRefreshTokenRotation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		c := newClient(t, st, "panel")
		req := newRequest(c, "req-1", "sub-1")
		if err := st.CreateAccessTokenSession(ctx, "at-1", req); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateRefreshTokenSession(ctx, "rt-1", "at-1", req); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetRefreshTokenSession(ctx, "rt-1", newSession())
		if err != nil {
			t.Fatal(err)
		}
		checkRequest(t, got, req)

		if err := st.RotateRefreshToken(ctx, "req-1", "rt-1"); err != nil {
			t.Fatal(err)
		}
		got, err = st.GetRefreshTokenSession(ctx, "rt-1", newSession())
		if !errors.Is(err, fosite.ErrInactiveToken) {
			t.Fatalf("get rotated token: %v, want ErrInactiveToken", err)
		}
		checkRequest(t, got, req)
		if _, err := st.GetAccessTokenSession(ctx, "at-1", newSession()); !errors.Is(err, fosite.ErrInactiveToken) {
			t.Errorf("access token of the rotated grant: %v, want ErrInactiveToken", err)
		}

		// The successors, stored after the rotation, are active.
		if err := st.CreateAccessTokenSession(ctx, "at-2", req); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateRefreshTokenSession(ctx, "rt-2", "at-2", req); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetRefreshTokenSession(ctx, "rt-2", newSession()); err != nil {
			t.Fatalf("successor: %v", err)
		}

		err = st.RotateRefreshToken(ctx, "req-1", "rt-1")
		if !errors.Is(err, fosite.ErrSerializationFailure) || !errors.Is(err, fosite.ErrInactiveToken) {
			t.Errorf("rotate twice: %v, want ErrSerializationFailure and ErrInactiveToken", err)
		}
		if _, err := st.GetRefreshTokenSession(ctx, "rt-2", newSession()); err != nil {
			t.Errorf("a failed rotation touched the successor: %v", err)
		}
		if err := st.RotateRefreshToken(ctx, "req-1", "nope"); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("rotate unknown: %v, want ErrNotFound", err)
		}

		// Reuse detection, as fosite does it: delete the reused token,
		// revoke the grant.
		if err := st.DeleteRefreshTokenSession(ctx, "rt-1"); err != nil {
			t.Fatal(err)
		}
		if err := st.RevokeRefreshToken(ctx, "req-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetRefreshTokenSession(ctx, "rt-1", newSession()); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("deleted token: %v, want ErrNotFound", err)
		}
		if _, err := st.GetRefreshTokenSession(ctx, "rt-2", newSession()); !errors.Is(err, fosite.ErrInactiveToken) {
			t.Errorf("revoked successor: %v, want ErrInactiveToken", err)
		}
	})
}

func TestRevokeRequest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "sub-1")
		mustCreateGrant(t, st, req, "1")
		if err := st.RevokeRequest(ctx, "req-1"); err != nil {
			t.Fatal(err)
		}
		checkGrant(t, st, "1", false)
	})
}

func TestPKCE(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "sub-1")
		req.Form.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
		req.Form.Set("code_challenge_method", "S256")
		if err := st.CreatePKCERequestSession(ctx, "code-sig", req); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetPKCERequestSession(ctx, "code-sig", newSession())
		if err != nil {
			t.Fatal(err)
		}
		checkRequest(t, got, req)
		if err := st.DeletePKCERequestSession(ctx, "code-sig"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetPKCERequestSession(ctx, "code-sig", newSession()); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("get deleted: %v, want ErrNotFound", err)
		}
	})
}

func TestOpenIDConnectSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "sub-1")
		const code = "raw-code.with-its-hmac"
		if err := st.CreateOpenIDConnectSession(ctx, code, req); err != nil {
			t.Fatal(err)
		}

		var keys []string
		if err := d.SelectContext(ctx, &keys, `SELECT signature FROM oauth_oidc`); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(code))
		if len(keys) != 1 || keys[0] != hex.EncodeToString(sum[:]) {
			t.Errorf("stored keys %q, want only the SHA-256 of the code", keys)
		}

		// fosite passes the token request, whose session is filled.
		tokenReq := fosite.NewAccessRequest(newSession())
		got, err := st.GetOpenIDConnectSession(ctx, code, tokenReq)
		if err != nil {
			t.Fatal(err)
		}
		checkRequest(t, got, req)
		if got.GetRequestForm().Get("nonce") != "n-0S6_WzA2Mj" {
			t.Errorf("nonce lost: form %v", got.GetRequestForm())
		}
		if err := st.DeleteOpenIDConnectSession(ctx, code); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetOpenIDConnectSession(ctx, code, fosite.NewAccessRequest(newSession())); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("get deleted: %v, want ErrNotFound", err)
		}
	})
}

// TestSessionInPlace checks that a session prototype is filled in place and
// that the expiries fosite set on it before the load survive, as fosite's
// token flow needs when it loads a code a second time.
func TestSessionInPlace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "sub-1")
		delete(req.Session.(*testSession).ExpiresAt, fosite.AccessToken)
		if err := st.CreateAuthorizeCodeSession(ctx, "code-sig", req); err != nil {
			t.Fatal(err)
		}
		sess := newSession()
		at := db.Now().Add(42 * 1e9)
		sess.SetExpiresAt(fosite.AccessToken, at)
		if _, err := st.GetAuthorizeCodeSession(ctx, "code-sig", sess); err != nil {
			t.Fatal(err)
		}
		if !sess.GetExpiresAt(fosite.AccessToken).Equal(at) || sess.GetSubject() != "sub-1" ||
			!sess.GetExpiresAt(fosite.AuthorizeCode).Equal(req.Session.GetExpiresAt(fosite.AuthorizeCode)) {
			t.Errorf("session after load: %+v", sess.DefaultSession)
		}
	})
}

// TestDeleteAccessTokenAnnouncesLiveOnly: deleting an access token
// removes it whether or not it was still active, and announces it only
// when it was.
func TestDeleteAccessTokenAnnouncesLiveOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		var heard []string
		st.OnRevocation(func(r sqlstore.Revocation) { heard = append(heard, r.Signature) })
		c := newClient(t, st, "panel")
		for sig, r := range map[string]*fosite.Request{"at-1": newRequest(c, "req-1", "sub-1"), "at-2": newRequest(c, "req-2", "sub-1")} {
			if err := st.CreateAccessTokenSession(ctx, sig, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.RevokeAccessToken(ctx, "req-1"); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(heard, []string{"at-1"}) {
			t.Fatalf("revocation announced %v, want [at-1]", heard)
		}

		heard = nil
		for _, sig := range []string{"at-1", "at-2", "at-2"} {
			if err := st.DeleteAccessTokenSession(ctx, sig); err != nil {
				t.Fatal(err)
			}
			if _, err := st.GetAccessTokenSession(ctx, sig, newSession()); !errors.Is(err, fosite.ErrNotFound) {
				t.Errorf("get deleted %s: %v, want ErrNotFound", sig, err)
			}
		}
		if !slices.Equal(heard, []string{"at-2"}) {
			t.Errorf("deletions announced %v, want [at-2]: the revoked at-1 was announced already, at-2 once", heard)
		}
	})
}

package sqlstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// mustCreateGrant stores, for req, what a code flow leaves behind: code,
// PKCE and OpenID Connect requests, access and refresh tokens, all named
// with suffix n.
func mustCreateGrant(t *testing.T, st *sqlstore.Store, req *fosite.Request, n string) {
	t.Helper()
	for _, err := range []error{
		st.CreateAuthorizeCodeSession(ctx, "code-"+n, req),
		st.CreatePKCERequestSession(ctx, "code-"+n, req),
		st.CreateOpenIDConnectSession(ctx, "raw-code-"+n, req),
		st.CreateAccessTokenSession(ctx, "at-"+n, req),
		st.CreateRefreshTokenSession(ctx, "rt-"+n, "at-"+n, req),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkGrant checks that the code and tokens of grant n are all active, or
// all inactive yet still returned with their request.
func checkGrant(t *testing.T, st *sqlstore.Store, n string, active bool) {
	t.Helper()
	for _, c := range []struct {
		what     string
		get      func() (fosite.Requester, error)
		inactive error
	}{
		{"code", func() (fosite.Requester, error) { return st.GetAuthorizeCodeSession(ctx, "code-"+n, newSession()) }, fosite.ErrInvalidatedAuthorizeCode},
		{"access token", func() (fosite.Requester, error) { return st.GetAccessTokenSession(ctx, "at-"+n, newSession()) }, fosite.ErrInactiveToken},
		{"refresh token", func() (fosite.Requester, error) { return st.GetRefreshTokenSession(ctx, "rt-"+n, newSession()) }, fosite.ErrInactiveToken},
	} {
		r, err := c.get()
		switch {
		case active && err != nil:
			t.Errorf("%s %s: %v, want active", c.what, n, err)
		case !active && !errors.Is(err, c.inactive):
			t.Errorf("%s %s: %v, want %v", c.what, n, err, c.inactive)
		case r == nil:
			t.Errorf("%s %s: no request returned", c.what, n)
		}
	}
}

func TestRevokeSubject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		c := newClient(t, st, "panel")
		mustCreateGrant(t, st, newRequest(c, "req-1", "alice"), "1")
		mustCreateGrant(t, st, newRequest(c, "req-2", "alice"), "2")
		mustCreateGrant(t, st, newRequest(c, "req-3", "bob"), "3")

		if err := st.RevokeSubject(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		checkGrant(t, st, "1", false)
		checkGrant(t, st, "2", false)
		checkGrant(t, st, "3", true)
		for _, n := range []string{"1", "2"} {
			if _, err := st.GetPKCERequestSession(ctx, "code-"+n, newSession()); !errors.Is(err, fosite.ErrNotFound) {
				t.Errorf("PKCE request %s of a revoked subject: %v", n, err)
			}
			if _, err := st.GetOpenIDConnectSession(ctx, "raw-code-"+n, fosite.NewAccessRequest(newSession())); !errors.Is(err, fosite.ErrNotFound) {
				t.Errorf("OpenID Connect session %s of a revoked subject: %v", n, err)
			}
		}
		if _, err := st.GetPKCERequestSession(ctx, "code-3", newSession()); err != nil {
			t.Errorf("PKCE request of another subject: %v", err)
		}
		if err := st.RevokeSubject(ctx, "nobody"); err != nil {
			t.Errorf("revoke unknown subject: %v", err)
		}
	})
}

func TestDeleteExpired(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		c := newClient(t, st, "panel")
		old := newRequest(c, "req-old", "alice")
		now := db.Now()
		for _, k := range []fosite.TokenType{fosite.AuthorizeCode, fosite.AccessToken, fosite.RefreshToken} {
			old.Session.SetExpiresAt(k, now.Add(-time.Hour))
		}
		mustCreateGrant(t, st, old, "old")
		mustCreateGrant(t, st, newRequest(c, "req-new", "alice"), "new")
		forever := newRequest(c, "req-forever", "alice")
		delete(forever.Session.(*testSession).ExpiresAt, fosite.RefreshToken)
		if err := st.CreateRefreshTokenSession(ctx, "rt-forever", "", forever); err != nil {
			t.Fatal(err)
		}
		if err := st.SetClientAssertionJWT(ctx, "jti-old", now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}

		n, err := st.DeleteExpired(ctx, now.Add(-time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if n != 6 {
			t.Errorf("deleted %d rows, want 6 (code, PKCE, OIDC, access, refresh, jti)", n)
		}
		if _, err := st.GetAccessTokenSession(ctx, "at-old", nil); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("expired access token: %v, want ErrNotFound", err)
		}
		checkGrant(t, st, "new", true)
		if _, err := st.GetRefreshTokenSession(ctx, "rt-forever", newSession()); err != nil {
			t.Errorf("refresh token without expiry: %v", err)
		}
		if n, err := st.DeleteExpired(ctx, now.Add(-time.Minute)); err != nil || n != 0 {
			t.Errorf("second purge = %d, %v; want 0", n, err)
		}
	})
}

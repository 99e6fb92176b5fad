package sqlstore_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/mohae/deepcopy"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// testSession is a session like the provider's: fosite's OpenID Connect
// session plus claims of Sésame's own.
type testSession struct {
	*openid.DefaultSession `json:"oidc"`
	AccountID              string   `json:"account_id,omitempty"`
	Rights                 []string `json:"rights,omitempty"`
}

func newSession() *testSession {
	return &testSession{DefaultSession: &openid.DefaultSession{
		Claims:  &jwt.IDTokenClaims{},
		Headers: &jwt.Headers{},
	}}
}

func (s *testSession) Clone() fosite.Session {
	return deepcopy.Copy(s).(fosite.Session)
}

const testSecret = "a-client-secret-of-at-least-32-characters"

var ctx = context.Background()

// newClient stores a confidential client of the code flow.
func newClient(t *testing.T, st *sqlstore.Store, id string) *sqlstore.Client {
	t.Helper()
	c := &sqlstore.Client{
		ID:           id,
		Name:         "Panel " + id,
		RedirectURIs: []string{"https://" + id + ".example/callback"},
		GrantTypes:   []string{"authorization_code", "refresh_token", "client_credentials"},
		Scopes:       []string{"openid", "offline_access", "email", "profile"},
		Audience:     []string{"https://api.example"},
	}
	if err := st.CreateClient(ctx, c, testSecret); err != nil {
		t.Fatal(err)
	}
	return c
}

// newRequest returns a granted authorization request of subject, as fosite
// hands it to the store.
func newRequest(c *sqlstore.Client, requestID, subject string) *fosite.Request {
	now := db.Now()
	sess := newSession()
	sess.Subject = subject
	sess.Claims.Subject = subject
	sess.Claims.RequestedAt = now
	sess.Claims.AuthTime = now.Add(-time.Minute)
	sess.Claims.Extra = map[string]any{"account_id": "id482913"}
	sess.Headers.Extra = map[string]any{"kid": "k1"}
	sess.AccountID = "id482913"
	sess.Rights = []string{"domain:read", "domain:dns:example.cm"}
	sess.SetExpiresAt(fosite.AuthorizeCode, now.Add(10*time.Minute))
	sess.SetExpiresAt(fosite.AccessToken, now.Add(time.Hour))
	sess.SetExpiresAt(fosite.RefreshToken, now.Add(30*24*time.Hour))
	return &fosite.Request{
		ID:                requestID,
		RequestedAt:       now,
		Client:            c,
		RequestedScope:    fosite.Arguments{"openid", "offline_access", "email"},
		GrantedScope:      fosite.Arguments{"openid", "offline_access"},
		RequestedAudience: fosite.Arguments{"https://api.example"},
		GrantedAudience:   fosite.Arguments{"https://api.example"},
		Form: url.Values{
			"nonce":        {"n-0S6_WzA2Mj"},
			"redirect_uri": {c.RedirectURIs[0]},
			"scope":        {"openid offline_access email"},
		},
		Session: sess,
	}
}

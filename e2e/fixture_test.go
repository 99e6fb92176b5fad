package e2e_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

const (
	ownerEmail    = "owner@example.cm"
	ownerPassword = "Tr0ub4dor&3-Horse"
	panelRedirect = "http://panel.localhost/callback"
)

// world is a seeded instance: one account with its owner, and a
// confidential first-party client of the code flow.
type world struct {
	*sesametest.Instance
	AccountID, OwnerID string
	ClientID, Secret   string
}

func seed(t *testing.T, s *sesametest.Instance) world { return seedB(t, s) }

func seedB(t testing.TB, s *sesametest.Instance) world {
	t.Helper()
	ctx := context.Background()
	acct, owner, err := s.Accounts.CreateAccount(ctx, "Acme Hébergement", ownerEmail, "Olive Owner", ownerPassword)
	if err != nil {
		t.Fatal(err)
	}
	w := world{Instance: s, AccountID: acct.ID, OwnerID: owner.ID, ClientID: "panel"}
	w.Secret = createClient(t, s, &sqlstore.Client{
		ID: "panel", Name: "Panel", RedirectURIs: []string{panelRedirect}, IsFirstParty: true,
		GrantTypes: []string{"authorization_code", "refresh_token", "client_credentials"},
		Scopes:     []string{"openid", "profile", "email", "offline_access", "sesame:authz", "sesame:members"},
	})
	return w
}

func createClient(t testing.TB, s *sesametest.Instance, c *sqlstore.Client) string {
	t.Helper()
	secret := ""
	if !c.Public {
		var err error
		if secret, err = sqlstore.NewClientSecret(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Clients.CreateClient(context.Background(), c, secret); err != nil {
		t.Fatal(err)
	}
	return secret
}

// addLoginAccount creates an active login account with a password and
// rights directly, as an accepted invitation would.
func addLoginAccount(t testing.TB, s *sesametest.Instance, accountID, email, password string, rights ...string) account.Member {
	t.Helper()
	ctx := context.Background()
	hash, err := s.Accounts.Hasher().Hash(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Accounts.CreateMember(ctx, accountID, email, "", account.StatusActive, hash)
	if err != nil {
		t.Fatal(err)
	}
	grants := make([]rbac.Grant, len(rights))
	for i, r := range rights {
		grants[i] = rbac.Grant{Right: r}
	}
	if err := s.Rights.SetGrants(ctx, accountID, m.ID, grants); err != nil {
		t.Fatal(err)
	}
	return m
}

// signInToken runs the code flow for a person through the login form and
// returns the access token, with the given scopes.
func signInToken(t *testing.T, w world, email, password, accountID string, scopes ...string) string {
	t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"openid", "offline_access", "sesame:members"}
	}
	rp := w.NewRP(t, w.ClientID, w.Secret, panelRedirect, scopes...)
	flow := rp.Start()
	p := w.NewBrowser(t).SignIn(flow.URL, email, password, accountID)
	if p.Location == "" {
		t.Fatalf("sign-in of %s failed: %d", email, p.Status)
	}
	tok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

var linkPattern = regexp.MustCompile(`https?://[^\s"<>]+/invitation/[A-Za-z0-9_-]+`)

// invitationLink waits for the invitation email to reach to and returns
// its link, checking that the text names the account ID.
func invitationLink(t *testing.T, w world, to, accountID string) string {
	t.Helper()
	msg := w.Mail.WaitFor(t, to, 10*time.Second)
	if !strings.Contains(msg.Text, accountID) {
		t.Fatalf("invitation email does not name the account %s:\n%s", accountID, msg.Text)
	}
	link := linkPattern.FindString(msg.Text)
	if link == "" {
		t.Fatalf("no link in the invitation email:\n%s", msg.Text)
	}
	return link
}

package browser_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

const (
	ownerEmail     = "olive@example.cm"
	ownerPassword  = "Tr0ub4dor&3-Horse"
	strongPassword = "Cheval-Agrafe-42!"
)

// world is a Sésame with one account and its owner.
type world struct {
	*sesametest.Instance
	AccountID string
}

// start runs a Sésame on SQLite with the account seeded.
func start(t *testing.T) world { return startWith(t, sesametest.Options{}) }

// startWith is start on the database o chooses.
func startWith(t *testing.T, o sesametest.Options) world {
	t.Helper()
	s := sesametest.Start(t, o)
	acct, _, err := s.Accounts.CreateAccount(context.Background(), "Acme Hébergement", ownerEmail, "Olive Owner", ownerPassword)
	if err != nil {
		t.Fatal(err)
	}
	return world{Instance: s, AccountID: acct.ID}
}

// addLoginAccount creates an active login account with rights, as an
// accepted invitation would.
func (w world) addLoginAccount(t *testing.T, email string, rights ...string) account.Member {
	t.Helper()
	ctx := context.Background()
	hash, err := w.Accounts.Hasher().Hash(ctx, strongPassword)
	if err != nil {
		t.Fatal(err)
	}
	m, err := w.Accounts.CreateMember(ctx, w.AccountID, email, "", account.StatusActive, hash)
	if err != nil {
		t.Fatal(err)
	}
	grants := make([]rbac.Grant, len(rights))
	for i, r := range rights {
		grants[i] = rbac.Grant{Right: r}
	}
	if err := w.Rights.SetGrants(ctx, w.AccountID, m.ID, grants); err != nil {
		t.Fatal(err)
	}
	return m
}

var linkPattern = regexp.MustCompile(`https?://[^\s"<>]+/invitation/[A-Za-z0-9_-]+`)

// invitationLink waits for the invitation email to reach to and returns
// its link.
func (w world) invitationLink(t *testing.T, to string) string {
	t.Helper()
	msg := w.Mail.WaitFor(t, to, 10*time.Second)
	if !strings.Contains(msg.Text, w.AccountID) {
		t.Fatalf("invitation email does not name the account %s:\n%s", w.AccountID, msg.Text)
	}
	link := linkPattern.FindString(msg.Text)
	if link == "" {
		t.Fatalf("no link in the invitation email:\n%s", msg.Text)
	}
	return link
}

// signInOwner signs the owner in at Sésame's login page in tb.
func (w world) signInOwner(tb *tab) {
	tb.t.Helper()
	tb.open(w.URL + "/login")
	tb.fill("#email", ownerEmail)
	tb.fill("#password", ownerPassword)
	if st := tb.click("form[action='/login'] button[type=submit]"); st != 200 || tb.url().Path != "/account" {
		tb.t.Fatalf("owner sign-in: status %d at %s", st, tb.url())
	}
}

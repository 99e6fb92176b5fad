package members_test

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/internal/testclock"
	"github.com/sesame-idp/sesame/internal/testcrypto"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/mail/mailtest"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

const (
	issuer        = "https://sesame.example.com"
	ownerEmail    = "owner@example.com"
	ownerPassword = "kX9#mPq2$vLz-Owner"
	// goodPassword passes the policy for any invitee of these tests.
	goodPassword = "Vq7!rT2#pLm9wZ"
)

// clock is the tests' settable time.
type clock = testclock.Clock

// revoker records the subjects whose tokens members asked to revoke.
type revoker struct {
	members.TokenRevoker // only RevokeSubject is called

	mu       sync.Mutex
	subjects []string
	fail     error // when set, RevokeSubject fails with it
}

func (r *revoker) RevokeSubject(_ context.Context, subject string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.subjects = append(r.subjects, subject)
	return nil
}

func (r *revoker) Subjects() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.subjects)
}

// sharedHasher spares each fixture a hasher of its own; its argon2id
// hashes are real but cheap.
var sharedHasher = testcrypto.NewHasher()

// fixture is a members.Service on a real database, with real account,
// rbac and mail services, an in-process SMTP server, and one account whose
// owner is signed up.
type fixture struct {
	d        *db.DB
	clock    *clock
	accounts *account.Service
	rights   *rbac.Service
	outbox   *mail.Outbox
	smtp     *mailtest.Server
	revoker  *revoker
	svc      *members.Service

	acct  account.Account
	owner account.Member
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{d: d, clock: testclock.New(time.Now().UTC().Truncate(time.Second)), smtp: mailtest.NewServer(t), revoker: &revoker{}}
	var err error
	if f.rights, err = rbac.New(d, rbac.Options{Now: f.clock.Now}); err != nil {
		t.Fatal(err)
	}
	f.accounts = account.NewService(d, account.Options{Now: f.clock.Now, Hasher: sharedHasher, OnOwnerCreated: f.rights.SetOwner})
	sender, err := mail.NewSMTPSender(f.smtp.URL(), "sesame@example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.outbox = mail.NewOutbox(d, sender, mail.OutboxOptions{Now: f.clock.Now, Logger: slog.New(slog.DiscardHandler)})
	f.svc = members.New(members.Options{
		DB: d, Accounts: f.accounts, Rights: f.rights, Outbox: f.outbox, Tokens: f.revoker,
		Hasher: sharedHasher, Issuer: issuer, Now: f.clock.Now,
	})
	if f.acct, f.owner, err = f.accounts.CreateAccount(ctx, "Acme", ownerEmail, "Olive Owner", ownerPassword); err != nil {
		t.Fatal(err)
	}
	return f
}

// secondAccount signs up another account and returns its owner as an actor.
func (f *fixture) secondAccount(t *testing.T) (account.Account, members.Actor) {
	t.Helper()
	a, o, err := f.accounts.CreateAccount(context.Background(), "Other", "boss@other.example", "", "Zr4$kLq8!mWx-Other")
	if err != nil {
		t.Fatal(err)
	}
	return a, f.actor(t, o.ID)
}

// actor loads a member as an actor, as the console does.
func (f *fixture) actor(t *testing.T, memberID string) members.Actor {
	t.Helper()
	a, err := f.svc.ActorFor(context.Background(), memberID, "192.0.2.7")
	if err != nil {
		t.Fatalf("ActorFor(%s): %v", memberID, err)
	}
	return a
}

func (f *fixture) ownerActor(t *testing.T) members.Actor { return f.actor(t, f.owner.ID) }

// addMember creates an active login account holding rights, without going
// through an invitation.
func (f *fixture) addMember(t *testing.T, email string, rights ...string) account.Member {
	t.Helper()
	ctx := context.Background()
	m, err := f.accounts.CreateMember(ctx, f.acct.ID, email, "", account.StatusActive, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.rights.SetGrants(ctx, f.acct.ID, m.ID, grants(rights...)); err != nil {
		t.Fatal(err)
	}
	f.rights.Invalidate(f.acct.ID)
	return m
}

func grants(rights ...string) []rbac.Grant {
	out := make([]rbac.Grant, len(rights))
	for i, r := range rights {
		out[i] = rbac.Grant{Right: r}
	}
	return out
}

// invite invites email on behalf of a with rights, or fails the test.
func (f *fixture) invite(t *testing.T, a members.Actor, email string, gs ...rbac.Grant) members.Invitation {
	t.Helper()
	inv, err := f.svc.Invite(context.Background(), a, members.InviteRequest{AccountID: f.acct.ID, Email: email, Grants: gs, Lang: "en"})
	if err != nil {
		t.Fatalf("Invite(%s): %v", email, err)
	}
	return inv
}

// deliver sends the queued mail to the SMTP server.
func (f *fixture) deliver(t *testing.T) int {
	t.Helper()
	n, err := f.outbox.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var linkRE = regexp.MustCompile(regexp.QuoteMeta(issuer+"/invitation/") + `([A-Za-z0-9_-]+)`)

// lastMail delivers the queue and returns the newest message to email.
func (f *fixture) lastMail(t *testing.T, email string) mailtest.Received {
	t.Helper()
	f.deliver(t)
	msgs := f.smtp.MessagesTo(email)
	if len(msgs) == 0 {
		t.Fatalf("no mail to %s", email)
	}
	return msgs[len(msgs)-1]
}

// token returns the link token of the newest invitation mailed to email.
func (f *fixture) token(t *testing.T, email string) string {
	t.Helper()
	m := f.lastMail(t, email)
	sub := linkRE.FindStringSubmatch(m.Text)
	if sub == nil {
		t.Fatalf("no invitation link in the mail to %s:\n%s", email, m.Text)
	}
	return sub[1]
}

func (f *fixture) accept(token, email, password string) (account.Member, error) {
	return f.svc.Accept(context.Background(), members.Acceptance{
		Token: token, AccountID: f.acct.ID, Email: email, Password: password, PasswordConfirm: password, IP: "198.51.100.4",
	})
}

// actions returns the audit actions of the account, oldest first.
func (f *fixture) actions(t *testing.T) []string {
	t.Helper()
	events, err := audit.New(f.d).List(context.Background(), f.acct.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(events))
	for i, e := range events {
		out[len(events)-1-i] = e.Action
	}
	return out
}

// lastEvent returns the newest audit event of the account.
func (f *fixture) lastEvent(t *testing.T) audit.Event {
	t.Helper()
	events, err := audit.New(f.d).List(context.Background(), f.acct.ID, 1)
	if err != nil || len(events) == 0 {
		t.Fatalf("audit.List: %v (%d events)", err, len(events))
	}
	return events[0]
}

// invitationCount counts the invitations of the account, all statuses.
func (f *fixture) invitationCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.d.GetContext(context.Background(), &n, f.d.Rebind(`SELECT COUNT(*) FROM invitations WHERE account_id = ?`), f.acct.ID); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var inv *members.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want *members.InvalidError", err)
	}
	if inv.Field != field {
		t.Fatalf("InvalidError.Field = %q, want %q (%v)", inv.Field, field, err)
	}
}

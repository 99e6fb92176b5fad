package members_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// TestInvite runs the invitation scenarios on one account per database.
func TestInvite(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		t.Run("refusals", func(t *testing.T) { inviteRefusals(t, f) })
		t.Run("records and mails", func(t *testing.T) { inviteRecordsAndMails(t, f) })
		t.Run("operator names the owner", func(t *testing.T) { inviteByOperatorNamesTheOwner(t, f) })
		t.Run("expired invitation does not block", func(t *testing.T) { expiredInvitationDoesNotBlock(t, f) }) // moves the clock
	})
}

func inviteRefusals(t *testing.T, f *fixture) {
	d := f.d
	ctx := context.Background()
	owner := f.ownerActor(t)
	manager := f.actor(t, f.addMember(t, "manager@example.com", members.RightManage, "domain:read").ID)
	plain := f.actor(t, f.addMember(t, "plain@example.com", "domain:read").ID)
	f.addMember(t, "ana@example.com", "server:read")
	_, stranger := f.secondAccount(t)
	f.invite(t, owner, "pending@example.com", rbac.Grant{Right: "domain:read"})
	past := f.clock.Now().Add(-time.Minute)

	tests := []struct {
		name   string
		actor  members.Actor
		email  string
		grants []rbac.Grant
		check  func(t *testing.T, err error)
	}{
		{"invalid email", owner, "not an email", nil, func(t *testing.T, err error) { wantInvalid(t, err, "email") }},
		{"email with display name", owner, "Bob <bob@example.com>", nil, func(t *testing.T, err error) { wantInvalid(t, err, "email") }},
		{"unknown right", owner, "bob@example.com", grants("domain:fly"), func(t *testing.T, err error) {
			wantInvalid(t, err, "rights")
			wantErr(t, err, rbac.ErrUnknownRight)
		}},
		{"malformed right", owner, "bob@example.com", grants("domain"), func(t *testing.T, err error) { wantInvalid(t, err, "rights") }},
		{"expiry in the past", owner, "bob@example.com", []rbac.Grant{{Right: "domain:read", ExpiresAt: &past}},
			func(t *testing.T, err error) { wantInvalid(t, err, "rights") }},
		{"manager grants a right it lacks", manager, "bob@example.com", grants("domain:read", "domain:dns"),
			func(t *testing.T, err error) { wantErr(t, err, members.ErrForbidden) }},
		{"manager grants a narrowed right it lacks", manager, "bob@example.com", grants("server:read:web1"),
			func(t *testing.T, err error) { wantErr(t, err, members.ErrForbidden) }},
		{"login account without members:manage", plain, "bob@example.com", grants("domain:read"),
			func(t *testing.T, err error) { wantErr(t, err, members.ErrForbidden) }},
		{"owner of another account", stranger, "bob@example.com", nil,
			func(t *testing.T, err error) { wantErr(t, err, members.ErrForbidden) }},
		{"already a login account", owner, "ANA@example.com", nil,
			func(t *testing.T, err error) { wantErr(t, err, members.ErrAlreadyMember) }},
		{"the owner's email", owner, " Owner@Example.com ", nil,
			func(t *testing.T, err error) { wantErr(t, err, members.ErrAlreadyMember) }},
		{"already invited", manager, "Pending@example.com", grants("domain:read"),
			func(t *testing.T, err error) { wantErr(t, err, members.ErrAlreadyInvited) }},
	}
	before, mailsBefore := f.invitationCount(t), countOutbox(t, d)
	trail := len(f.actions(t))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := f.svc.Invite(ctx, tc.actor, members.InviteRequest{AccountID: f.acct.ID, Email: tc.email, Grants: tc.grants})
			if err == nil {
				t.Fatalf("Invite succeeded: %+v", inv)
			}
			tc.check(t, err)
		})
	}
	// A refused invitation changes nothing.
	if n := f.invitationCount(t); n != before {
		t.Errorf("invitations: %d, want %d", n, before)
	}
	if n := countOutbox(t, d); n != mailsBefore {
		t.Errorf("outbox: %d messages, want %d", n, mailsBefore)
	}
	if n := len(f.actions(t)); n != trail {
		t.Errorf("audit trail grew from %d to %d", trail, n)
	}

	t.Run("manager resends or revokes only what it could grant", func(t *testing.T) {
		big := f.invite(t, owner, "big@example.com", rbac.Grant{Right: "billing:pay"})
		_, err := f.svc.Resend(ctx, manager, f.acct.ID, big.ID, "")
		wantErr(t, err, members.ErrForbidden)
		wantErr(t, f.svc.Revoke(ctx, manager, f.acct.ID, big.ID), members.ErrForbidden)
		small := f.invite(t, owner, "small@example.com", rbac.Grant{Right: "domain:read"})
		f.clock.Advance(members.ResendCooldown)
		if _, err := f.svc.Resend(ctx, manager, f.acct.ID, small.ID, "fr"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Revoke(ctx, manager, f.acct.ID, small.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.svc.Revoke(ctx, owner, f.acct.ID, small.ID), members.ErrLinkInvalid)
		wantErr(t, f.svc.Revoke(ctx, owner, f.acct.ID, "inv_nothing"), members.ErrNotFound)
		wantErr(t, f.svc.Revoke(ctx, stranger, stranger.AccountID, big.ID), members.ErrNotFound)
		_, err = f.svc.Invitations(ctx, plain, f.acct.ID)
		wantErr(t, err, members.ErrForbidden)
	})
	t.Run("unknown account", func(t *testing.T) {
		_, err := f.svc.Invite(ctx, members.Operator(), members.InviteRequest{AccountID: "id000001", Email: "bob@example.com"})
		wantErr(t, err, members.ErrNotFound)
	})
	t.Run("manager grants what it holds, narrowed", func(t *testing.T) {
		inv, err := f.svc.Invite(ctx, manager, members.InviteRequest{AccountID: f.acct.ID, Email: "bob@example.com",
			Grants: grants("domain:read:Example.CM", "domain:read:example.cm")})
		if err != nil {
			t.Fatal(err)
		}
		if got := inv.Rights(); len(got) != 1 || got[0] != "domain:read:example.cm" {
			t.Fatalf("rights = %v, want the one normalised narrowed right", got)
		}
		if inv.InvitedBy != manager.MemberID || inv.InvitedByEmail != "manager@example.com" {
			t.Fatalf("invited by %q <%s>, want the manager", inv.InvitedBy, inv.InvitedByEmail)
		}
	})
}

func countOutbox(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM mail_outbox`); err != nil {
		t.Fatal(err)
	}
	return n
}

func inviteRecordsAndMails(t *testing.T, f *fixture) {
	d := f.d
	ctx := context.Background()
	owner := f.ownerActor(t)
	until := f.clock.Now().Add(30 * 24 * time.Hour)
	inv := f.invite(t, owner, " Rita@Example.com", rbac.Grant{Right: "domain:dns", ExpiresAt: &until}, rbac.Grant{Right: "domain:read"})

	if inv.Email != "rita@example.com" || inv.Status != members.InvitationPending || inv.AccountID != f.acct.ID {
		t.Fatalf("invitation = %+v", inv)
	}
	if want := f.clock.Now().Add(72 * time.Hour); !inv.ExpiresAt.Equal(want) {
		t.Errorf("expires at %v, want %v (default TTL)", inv.ExpiresAt, want)
	}
	stored, err := f.svc.Invitation(ctx, owner, f.acct.ID, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := stored.Rights(); strings.Join(got, ",") != "domain:dns,domain:read" {
		t.Errorf("stored rights = %v", got)
	}
	if stored.Grants[0].ExpiresAt == nil || !stored.Grants[0].ExpiresAt.Equal(until) {
		t.Errorf("stored expiry of domain:dns = %v, want %v", stored.Grants[0].ExpiresAt, until)
	}
	if e := f.lastEvent(t); e.Action != audit.MemberInvited || e.Target != "rita@example.com" || e.ActorID != f.owner.ID {
		t.Errorf("audit = %+v", e)
	}

	m := f.lastMail(t, "rita@example.com")
	if !strings.Contains(m.Text, f.acct.ID) {
		t.Errorf("mail does not hold the account ID %s:\n%s", f.acct.ID, m.Text)
	}
	if !strings.Contains(m.Text, ownerEmail) {
		t.Errorf("mail does not name the inviter %s:\n%s", ownerEmail, m.Text)
	}
	token := linkRE.FindStringSubmatch(m.Text)
	if token == nil {
		t.Fatalf("mail holds no link:\n%s", m.Text)
	}
	if len(token[1]) < 22 { // 128 bits in base64url
		t.Errorf("token %q is shorter than 128 bits", token[1])
	}
	pending, err := f.svc.Pending(ctx, token[1])
	if err != nil || pending.ID != inv.ID {
		t.Fatalf("Pending(link token) = %+v, %v; want invitation %s", pending, err, inv.ID)
	}
	var stray int
	if err := d.GetContext(ctx, &stray, d.Rebind(`SELECT COUNT(*) FROM invitations WHERE token_hash = ?`), token[1]); err != nil || stray != 0 {
		t.Errorf("the raw token is stored (%d rows, %v)", stray, err)
	}
}

func inviteByOperatorNamesTheOwner(t *testing.T, f *fixture) {
	inv := f.invite(t, members.Operator(), "carol@example.com", rbac.Grant{Right: "billing:read"})
	if inv.InvitedBy != "" {
		t.Errorf("InvitedBy = %q, want empty for the operator", inv.InvitedBy)
	}
	m := f.lastMail(t, "carol@example.com")
	if !strings.Contains(m.Text, ownerEmail+" invites you") {
		t.Errorf("the mail does not name the owner as the inviter:\n%s", m.Text)
	}
	if strings.Contains(m.Text, "operator") {
		t.Errorf("the mail names the operator:\n%s", m.Text)
	}
}

func expiredInvitationDoesNotBlock(t *testing.T, f *fixture) {
	ctx := context.Background()
	owner := f.ownerActor(t)
	first := f.invite(t, owner, "dan@example.com")
	oldToken := f.token(t, "dan@example.com")

	f.clock.Advance(72*time.Hour + time.Second)
	second := f.invite(t, owner, "dan@example.com", rbac.Grant{Right: "server:read"})
	if second.ID == first.ID {
		t.Fatal("the same invitation came back")
	}
	list, err := f.svc.Invitations(ctx, owner, f.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, inv := range list {
		status[inv.ID] = inv.Status
	}
	if status[first.ID] != members.InvitationExpired || status[second.ID] != members.InvitationPending {
		t.Fatalf("statuses = %v, want first expired and second pending", status)
	}
	if _, err := f.svc.Pending(ctx, oldToken); !errors.Is(err, members.ErrLinkInvalid) {
		t.Fatalf("old link: %v, want ErrLinkInvalid", err)
	}
	// A third invitation while the second is live is refused.
	_, err = f.svc.Invite(ctx, owner, members.InviteRequest{AccountID: f.acct.ID, Email: "dan@example.com"})
	wantErr(t, err, members.ErrAlreadyInvited)
}

package members_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// TestAccept runs the set-password scenarios on one account per database.
func TestAccept(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		t.Run("refusals", func(t *testing.T) { acceptRefusals(t, f) })
		t.Run("creates the login account", func(t *testing.T) { acceptCreatesTheLoginAccount(t, f) })
		t.Run("concurrently", func(t *testing.T) { acceptConcurrently(t, f) })
	})
}

// TestInvitationLifecycle covers links that expire, are revoked or resent.
func TestInvitationLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		t.Run("dead links", func(t *testing.T) { acceptDeadLinks(t, f) })
		t.Run("a grant lapsed before acceptance", func(t *testing.T) { acceptAfterAGrantLapsed(t, f) })
		t.Run("resend while a newer is pending", func(t *testing.T) { resendExpiredWhileANewerIsPending(t, f) })
		t.Run("resend to someone who joined", func(t *testing.T) { resendToSomeoneWhoJoined(t, f) })
	})
}

func acceptRefusals(t *testing.T, f *fixture) {
	ctx := context.Background()
	other, _ := f.secondAccount(t)
	f.invite(t, f.ownerActor(t), "jean.dupont@example.com", rbac.Grant{Right: "domain:read"})
	token := f.token(t, "jean.dupont@example.com")

	mismatch := []struct {
		name, accountID, email string
	}{
		{"another account ID", other.ID, "jean.dupont@example.com"},
		{"a malformed account ID", "acme", "jean.dupont@example.com"},
		{"another email", f.acct.ID, "jean.dupond@example.com"},
		{"a malformed email", f.acct.ID, "jean.dupont@"},
	}
	var messages []string
	for _, tc := range mismatch {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Accept(ctx, members.Acceptance{Token: token, AccountID: tc.accountID, Email: tc.email,
				Password: goodPassword, PasswordConfirm: goodPassword})
			wantErr(t, err, members.ErrMismatch)
			messages = append(messages, err.Error())
		})
	}
	// Which of the two did not match is not said.
	slices.Sort(messages)
	if len(messages) != len(mismatch) || len(slices.Compact(slices.Clone(messages))) != 1 {
		t.Errorf("mismatch errors differ: %q", messages)
	}

	onID := "I" + f.acct.ID[1:] + "!a"
	weak := []struct {
		name, password, confirm string
		want                    account.PolicyFailure
	}{
		{"too short", "Ab1!", "Ab1!", account.FailureTooShort},
		{"common", "Password1!", "Password1!", account.FailureCommon},
		{"built on the email", "Jean.dupont1!", "Jean.dupont1!", account.FailureCommon},
		{"built on the account ID", onID, onID, account.FailureCommon},
		{"confirmation differs", goodPassword, goodPassword + "x", account.FailureMismatch},
	}
	for _, tc := range weak {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Accept(ctx, members.Acceptance{Token: token, AccountID: f.acct.ID, Email: "jean.dupont@example.com",
				Password: tc.password, PasswordConfirm: tc.confirm})
			var pe *account.PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *account.PolicyError", err)
			}
			if !slices.Contains(pe.Failures, tc.want) {
				t.Fatalf("failures = %v, want %s among them", pe.Failures, tc.want)
			}
		})
	}

	t.Run("garbage tokens", func(t *testing.T) {
		for _, tok := range []string{"", "nope", token + "x", string(make([]byte, 200))} {
			if _, err := f.accept(tok, "jean.dupont@example.com", goodPassword); !errors.Is(err, members.ErrLinkInvalid) {
				t.Errorf("Accept(%.10q) = %v, want ErrLinkInvalid", tok, err)
			}
		}
	})

	// Nothing of the above created anyone or used the link.
	if _, err := f.accounts.MemberByEmail(ctx, f.acct.ID, "jean.dupont@example.com"); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("a member exists after refused acceptances: %v", err)
	}
	if _, err := f.svc.Pending(ctx, token); err != nil {
		t.Fatalf("the link died after refused acceptances: %v", err)
	}
}

func acceptCreatesTheLoginAccount(t *testing.T, f *fixture) {
	ctx := context.Background()
	owner := f.ownerActor(t)
	until := f.clock.Now().Add(30 * 24 * time.Hour)
	inv := f.invite(t, owner, "fay@example.com",
		rbac.Grant{Right: "domain:read"}, rbac.Grant{Right: "domain:dns:example.cm", ExpiresAt: &until}, rbac.Grant{Right: "billing:read"})
	token := f.token(t, "fay@example.com")

	// Account ID and email are compared normalised.
	m, err := f.svc.Accept(ctx, members.Acceptance{Token: token, AccountID: " ID" + f.acct.ID[2:], Email: "Fay@Example.com ",
		Password: goodPassword, PasswordConfirm: goodPassword, IP: "198.51.100.4"})
	if err != nil {
		t.Fatal(err)
	}
	if m.AccountID != f.acct.ID || m.Email != "fay@example.com" || m.Role != account.RoleMember || m.Status != account.StatusActive {
		t.Fatalf("member = %+v", m)
	}
	got, err := f.rights.Grants(ctx, f.acct.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []rbac.Grant{{Right: "domain:read"}, {Right: "domain:dns:example.cm", ExpiresAt: &until}, {Right: "billing:read"}}
	if !sameGrants(got, want) {
		t.Fatalf("grants = %s, want %s", grantList(got), grantList(want))
	}
	// The password typed is the one stored.
	if _, err := f.accounts.Authenticate(ctx, account.Credentials{AccountID: f.acct.ID, Email: "fay@example.com", Password: goodPassword}); err != nil {
		t.Fatalf("sign-in with the chosen password: %v", err)
	}

	stored, err := f.svc.Invitation(ctx, owner, f.acct.ID, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != members.InvitationAccepted || stored.MemberID == nil || *stored.MemberID != m.ID || stored.AcceptedAt == nil {
		t.Fatalf("invitation after acceptance = %+v", stored)
	}
	if !slices.Contains(f.actions(t), audit.InvitationAccepted) {
		t.Fatalf("no %s in the trail: %v", audit.InvitationAccepted, f.actions(t))
	}

	// The link works once.
	_, err = f.accept(token, "fay@example.com", goodPassword)
	wantErr(t, err, members.ErrLinkInvalid)
	_, err = f.svc.Pending(ctx, token)
	wantErr(t, err, members.ErrLinkInvalid)
	// Accepted is final: it can be neither resent nor revoked.
	_, err = f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, "")
	wantErr(t, err, members.ErrLinkInvalid)
	wantErr(t, f.svc.Revoke(ctx, owner, f.acct.ID, inv.ID), members.ErrLinkInvalid)
}

func sameGrants(a, b []rbac.Grant) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(g rbac.Grant) string {
		if g.ExpiresAt == nil {
			return g.Right
		}
		return g.Right + "@" + g.ExpiresAt.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

func grantList(gs []rbac.Grant) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Right
		if g.ExpiresAt != nil {
			out[i] += "@" + g.ExpiresAt.UTC().Format(time.RFC3339)
		}
	}
	return out
}

func acceptConcurrently(t *testing.T, f *fixture) {
	d := f.d
	ctx := context.Background()
	for _, email := range []string{"gus@example.com", "gil@example.com", "guy@example.com"} {
		f.invite(t, f.ownerActor(t), email, rbac.Grant{Right: "domain:read"})
		token := f.token(t, email)

		const n = 2
		start := make(chan struct{})
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = f.accept(token, email, goodPassword)
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, members.ErrLinkInvalid):
				t.Errorf("the losing acceptance failed with %v, want ErrLinkInvalid", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d acceptances succeeded, want exactly 1 (errors %v)", ok, errs)
		}
		var rows int
		if err := d.GetContext(ctx, &rows, d.Rebind(`SELECT COUNT(*) FROM members WHERE account_id = ? AND email = ?`), f.acct.ID, email); err != nil {
			t.Fatal(err)
		}
		if rows != 1 {
			t.Fatalf("%d member rows for %s, want 1", rows, email)
		}
	}
}

func acceptDeadLinks(t *testing.T, f *fixture) {
	ctx := context.Background()
	owner := f.ownerActor(t)

	t.Run("expired", func(t *testing.T) {
		f.invite(t, owner, "hal@example.com")
		token := f.token(t, "hal@example.com")
		f.clock.Advance(72*time.Hour - time.Second)
		if _, err := f.svc.Pending(ctx, token); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		f.clock.Advance(time.Second)
		_, err := f.accept(token, "hal@example.com", goodPassword)
		wantErr(t, err, members.ErrLinkInvalid)
	})
	t.Run("revoked", func(t *testing.T) {
		inv := f.invite(t, owner, "ida@example.com")
		token := f.token(t, "ida@example.com")
		if err := f.svc.Revoke(ctx, owner, f.acct.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		_, err := f.accept(token, "ida@example.com", goodPassword)
		wantErr(t, err, members.ErrLinkInvalid)
		if e := f.lastEvent(t); e.Action != audit.InvitationRevoked || e.Target != "ida@example.com" {
			t.Errorf("audit = %+v", e)
		}
		// Revoked is final.
		_, err = f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, "")
		wantErr(t, err, members.ErrLinkInvalid)
	})
	t.Run("resent", func(t *testing.T) {
		inv := f.invite(t, owner, "jon@example.com", rbac.Grant{Right: "server:read"})
		oldToken := f.token(t, "jon@example.com")
		f.clock.Advance(time.Hour)
		again, err := f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, "en")
		if err != nil {
			t.Fatal(err)
		}
		if want := f.clock.Now().Add(72 * time.Hour); !again.ExpiresAt.Equal(want) {
			t.Errorf("new expiry %v, want %v", again.ExpiresAt, want)
		}
		newToken := f.token(t, "jon@example.com")
		if newToken == oldToken {
			t.Fatal("the resent mail carries the old link")
		}
		if n := len(f.smtp.MessagesTo("jon@example.com")); n != 2 {
			t.Errorf("%d mails to jon, want 2", n)
		}
		_, err = f.accept(oldToken, "jon@example.com", goodPassword)
		wantErr(t, err, members.ErrLinkInvalid)
		m, err := f.accept(newToken, "jon@example.com", goodPassword)
		if err != nil {
			t.Fatalf("the new link: %v", err)
		}
		if rights, _ := f.rights.Rights(ctx, f.acct.ID, m.ID); !slices.Equal(rights, []string{"server:read"}) {
			t.Errorf("rights = %v, want [server:read]", rights)
		}
	})
	t.Run("resent after expiry", func(t *testing.T) {
		inv := f.invite(t, owner, "kim@example.com")
		f.deliver(t)
		f.clock.Advance(100 * time.Hour)
		if _, err := f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.accept(f.token(t, "kim@example.com"), "kim@example.com", goodPassword); err != nil {
			t.Fatalf("a resent expired invitation: %v", err)
		}
	})
}

// An invitation may grant a right until a date that passes before the
// person accepts: the right has lapsed, the rest of the invitation stands.
func acceptAfterAGrantLapsed(t *testing.T, f *fixture) {
	ctx := context.Background()
	soon := f.clock.Now().Add(24 * time.Hour)
	f.invite(t, f.ownerActor(t), "lea@example.com", rbac.Grant{Right: "domain:read"}, rbac.Grant{Right: "domain:dns", ExpiresAt: &soon})
	token := f.token(t, "lea@example.com")
	f.clock.Advance(48 * time.Hour)
	m, err := f.accept(token, "lea@example.com", goodPassword)
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if rights, _ := f.rights.Rights(ctx, f.acct.ID, m.ID); !slices.Equal(rights, []string{"domain:read"}) {
		t.Fatalf("rights = %v, want [domain:read]", rights)
	}
}

// Re-sending an invitation that expired while a newer one for the same
// person is pending is refused as a duplicate, not failed.
func resendExpiredWhileANewerIsPending(t *testing.T, f *fixture) {
	ctx := context.Background()
	owner := f.ownerActor(t)
	old := f.invite(t, owner, "max@example.com")
	f.clock.Advance(73 * time.Hour)
	f.invite(t, owner, "max@example.com")
	_, err := f.svc.Resend(ctx, owner, f.acct.ID, old.ID, "")
	wantErr(t, err, members.ErrAlreadyInvited)
}

// An old invitation of someone who has since joined through a newer one
// is not sent again.
func resendToSomeoneWhoJoined(t *testing.T, f *fixture) {
	ctx := context.Background()
	owner := f.ownerActor(t)
	old := f.invite(t, owner, "quinn@example.com")
	f.clock.Advance(73 * time.Hour)
	f.invite(t, owner, "quinn@example.com")
	if _, err := f.accept(f.token(t, "quinn@example.com"), "quinn@example.com", goodPassword); err != nil {
		t.Fatal(err)
	}
	mails := len(f.smtp.MessagesTo("quinn@example.com"))
	_, err := f.svc.Resend(ctx, owner, f.acct.ID, old.ID, "")
	wantErr(t, err, members.ErrAlreadyMember)
	f.deliver(t)
	if n := len(f.smtp.MessagesTo("quinn@example.com")); n != mails {
		t.Fatalf("%d mails after the refused resend, want %d", n, mails)
	}
}

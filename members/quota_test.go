package members_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
)

// TestInvitationQuota: an account sends at most InvitationsPerHour
// invitation emails an hour; an hour later it may send again.
func TestInvitationQuota(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		owner := f.ownerActor(t)
		for i := range members.InvitationsPerHour {
			if _, err := f.svc.Invite(ctx, owner, members.InviteRequest{AccountID: f.owner.AccountID, Email: fmt.Sprintf("p%d@example.cm", i)}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := f.svc.Invite(ctx, owner, members.InviteRequest{AccountID: f.owner.AccountID, Email: "one-too-many@example.cm"})
		if !errors.Is(err, members.ErrTooManyInvitations) {
			t.Fatalf("invitation over the quota: %v", err)
		}
		f.clock.Advance(61 * time.Minute)
		if _, err := f.svc.Invite(ctx, owner, members.InviteRequest{AccountID: f.owner.AccountID, Email: "one-too-many@example.cm"}); err != nil {
			t.Fatalf("an hour later: %v", err)
		}
	})
}

// TestResendsCountAgainstTheQuota: every sending counts, resends of one
// invitation included.
func TestResendsCountAgainstTheQuota(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		owner := f.ownerActor(t)
		inv := f.invite(t, owner, "again@example.cm")
		for i := 1; i < members.InvitationsPerHour; i++ {
			f.clock.Advance(members.ResendCooldown)
			if _, err := f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, ""); err != nil {
				t.Fatalf("resend %d: %v", i, err)
			}
		}
		f.clock.Advance(members.ResendCooldown)
		_, err := f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, "")
		wantErr(t, err, members.ErrTooManyInvitations)
		_, err = f.svc.Invite(ctx, owner, members.InviteRequest{AccountID: f.acct.ID, Email: "other@example.cm"})
		wantErr(t, err, members.ErrTooManyInvitations)
		if n := f.deliver(t); n != members.InvitationsPerHour {
			t.Fatalf("%d emails sent, want %d", n, members.InvitationsPerHour)
		}
	})
}

// TestResendCooldown: one invitation is sent at most once per
// ResendCooldown.
func TestResendCooldown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		owner := f.ownerActor(t)
		inv := f.invite(t, owner, "twice@example.cm")
		_, err := f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, "")
		wantErr(t, err, members.ErrResendTooSoon)
		f.clock.Advance(members.ResendCooldown - time.Second)
		_, err = f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, "")
		wantErr(t, err, members.ErrResendTooSoon)
		f.clock.Advance(time.Second)
		if _, err := f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, ""); err != nil {
			t.Fatalf("resend after the cooldown: %v", err)
		}
		_, err = f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, "")
		wantErr(t, err, members.ErrResendTooSoon)
		if n := f.deliver(t); n != 2 {
			t.Fatalf("%d emails sent, want 2", n)
		}
	})
}

// TestInvitationQuotaConcurrent: invitations sent at once by many
// requests of one account stop exactly at the quota.
func TestInvitationQuotaConcurrent(t *testing.T) {
	f := newFixture(t, dbtest.Postgres(t))
	owner := f.ownerActor(t)
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Invite(context.Background(), owner, members.InviteRequest{AccountID: f.acct.ID, Email: fmt.Sprintf("c%d@example.cm", i)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok, refused := 0, 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, members.ErrTooManyInvitations):
			refused++
		default:
			t.Errorf("invite: %v", err)
		}
	}
	if ok != members.InvitationsPerHour || refused != n-members.InvitationsPerHour {
		t.Fatalf("%d invitations sent, %d refused; want %d and %d", ok, refused, members.InvitationsPerHour, n-members.InvitationsPerHour)
	}
}

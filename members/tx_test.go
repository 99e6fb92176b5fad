package members_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
)

// TestOneConnection runs every write of members on "sqlite::memory:",
// whose pool holds a single connection: a read made outside the operation's
// own transaction would wait for that transaction forever.
func TestOneConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := db.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f := newFixture(t, d)
		owner := f.ownerActor(t)
		inv := f.invite(t, owner, "ines@example.com", grants("domain:read")...)
		f.clock.Advance(members.ResendCooldown)
		if _, err := f.svc.Resend(ctx, owner, f.acct.ID, inv.ID, "en"); err != nil {
			t.Errorf("Resend: %v", err)
		}
		m := f.addMember(t, "marc@example.com", "server:read")
		if err := f.svc.SetGrants(ctx, owner, f.acct.ID, m.ID, grants("server:operate")); err != nil {
			t.Errorf("SetGrants: %v", err)
		}
		if err := f.svc.SetDisabled(ctx, owner, f.acct.ID, m.ID, true); err != nil {
			t.Errorf("SetDisabled: %v", err)
		}
		if err := f.svc.Delete(ctx, owner, f.acct.ID, m.ID); err != nil {
			t.Errorf("Delete: %v", err)
		}
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("members on a one-connection database did not finish in 30 s: a request waits for a second connection")
	}
}

// TestDisableIsAtomic makes token revocation fail: the login account must
// stay active, since "disabled" would otherwise be true with live tokens.
func TestDisableIsAtomic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		m := f.addMember(t, "marc@example.com", "server:read")
		boom := errors.New("token store down")
		f.revoker.fail = boom
		if err := f.svc.SetDisabled(ctx, f.ownerActor(t), f.acct.ID, m.ID, true); !errors.Is(err, boom) {
			t.Fatalf("SetDisabled = %v, want the revocation's error", err)
		}
		got, err := f.accounts.Member(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != account.StatusActive {
			t.Errorf("status after a failed revocation = %s, want active (nothing changed)", got.Status)
		}
		if err := f.svc.Delete(ctx, f.ownerActor(t), f.acct.ID, m.ID); !errors.Is(err, boom) {
			t.Fatalf("Delete = %v, want the revocation's error", err)
		}
		if _, err := f.accounts.Member(ctx, m.ID); err != nil {
			t.Errorf("member after a failed delete: %v, want still there", err)
		}
		f.revoker.fail = nil
		if err := f.svc.SetDisabled(ctx, f.ownerActor(t), f.acct.ID, m.ID, true); err != nil {
			t.Fatal(err)
		}
		if subs := f.revoker.Subjects(); len(subs) != 1 || subs[0] != m.ID {
			t.Errorf("revoked %v, want [%s]", subs, m.ID)
		}
	})
}

// TestManyConcurrentInvitations sends 200 invitations of one account at
// once on PostgreSQL, more than the pool has connections. Each request
// holds one connection at a time, so they all finish, the hourly quota
// lets exactly InvitationsPerHour through, and the database stays
// reachable meanwhile.
func TestManyConcurrentInvitations(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the 200-request flood")
	}
	d := dbtest.Postgres(t)
	f := newFixture(t, d)
	owner := f.ownerActor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const n = 200
	results := make(chan error, n)
	for i := range n {
		go func() {
			_, err := f.svc.Invite(ctx, owner, members.InviteRequest{
				AccountID: f.acct.ID, Email: fmt.Sprintf("p%03d@example.com", i), Grants: grants("domain:read"), Lang: "fr",
			})
			results <- err
		}()
	}
	// The pool still serves others while the flood runs.
	pingCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	if err := d.PingContext(pingCtx); err != nil {
		t.Errorf("database unreachable during the flood: %v", err)
	}
	stop()
	var ok, quota int
	for range n {
		select {
		case err := <-results:
			switch {
			case err == nil:
				ok++
			case errors.Is(err, members.ErrTooManyInvitations):
				quota++
			default:
				t.Errorf("Invite: %v", err)
			}
		case <-ctx.Done():
			t.Fatalf("%d of %d invitations answered in 60 s: requests wait for each other's connections", ok+quota, n)
		}
	}
	if ok != members.InvitationsPerHour || quota != n-members.InvitationsPerHour {
		t.Errorf("%d invited, %d refused by the quota; want %d and %d", ok, quota, members.InvitationsPerHour, n-members.InvitationsPerHour)
	}
}

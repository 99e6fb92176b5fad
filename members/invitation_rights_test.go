package members_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
)

// TestSetInvitationGrants: the owner changes a pending invitation's
// rights and the person accepts with the new ones; a delegated manager
// cannot give more than it holds; an accepted invitation is no longer
// changed.
func TestSetInvitationGrants(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		owner := f.ownerActor(t)
		inv := f.invite(t, owner, "lea@example.org", grants("domain:read")...)
		if err := f.svc.SetInvitationGrants(ctx, owner, f.acct.ID, inv.ID, grants("server:read", "domain:dns:example.cm")); err != nil {
			t.Fatal(err)
		}
		mgr := f.addMember(t, "mgr@example.org", "members:manage", "server:read")
		if err := f.svc.SetInvitationGrants(ctx, f.actor(t, mgr.ID), f.acct.ID, inv.ID, grants("billing:pay")); !errors.Is(err, members.ErrForbidden) {
			t.Fatalf("a manager giving billing:pay: %v, want ErrForbidden", err)
		}
		f.deliver(t)
		m, err := f.accept(f.token(t, "lea@example.org"), "lea@example.org", "Cheval-Agrafe-42!x")
		if err != nil {
			t.Fatal(err)
		}
		held, err := f.rights.Grants(ctx, f.acct.ID, m.ID)
		if err != nil || len(held) != 2 {
			t.Fatalf("accepted with %+v, %v; want the two new rights", held, err)
		}
		if err := f.svc.SetInvitationGrants(ctx, owner, f.acct.ID, inv.ID, grants("domain:read")); !errors.Is(err, members.ErrLinkInvalid) {
			t.Fatalf("changing an accepted invitation: %v, want ErrLinkInvalid", err)
		}
	})
}

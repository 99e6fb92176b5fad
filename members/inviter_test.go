package members_test

import (
	"context"
	"testing"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// TestInvitationDiesWithItsSender: a pending invitation carries its
// sender's rights. When the sender is deleted, disabled, loses
// members:manage or a right the invitation grants (directly or through a
// role), the link is dead; a sender who keeps its rights keeps its
// invitations alive.
func TestInvitationDiesWithItsSender(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		owner := f.ownerActor(t)
		admin := rbac.Actor{ID: "admin", Email: "admin@example.com"}
		// Every manager below holds domain:dns through this role.
		if err := f.rights.AddRule(ctx, admin, f.acct.ID, rbac.Rule{PType: "p", Subject: "role:dns", Object: "*", Action: "domain:dns"}); err != nil {
			t.Fatal(err)
		}
		dnsMember := func(id string) rbac.Rule { return rbac.Rule{PType: "g", Subject: id, Role: "role:dns"} }

		tests := []struct {
			name   string
			grant  string // the right the manager plants in its invitation
			remove func(t *testing.T, mgr account.Member)
			alive  bool
		}{
			{"sender deleted", members.RightManage, func(t *testing.T, mgr account.Member) {
				if err := f.svc.Delete(ctx, owner, f.acct.ID, mgr.ID); err != nil {
					t.Fatal(err)
				}
			}, false},
			{"sender disabled", members.RightManage, func(t *testing.T, mgr account.Member) {
				if err := f.svc.SetDisabled(ctx, owner, f.acct.ID, mgr.ID, true); err != nil {
					t.Fatal(err)
				}
			}, false},
			{"sender no longer manages", "domain:read", func(t *testing.T, mgr account.Member) {
				if err := f.svc.SetGrants(ctx, owner, f.acct.ID, mgr.ID, grants("domain:read")); err != nil {
					t.Fatal(err)
				}
			}, false},
			{"sender lost the granted right", "domain:read", func(t *testing.T, mgr account.Member) {
				if err := f.svc.SetGrants(ctx, owner, f.acct.ID, mgr.ID, grants(members.RightManage)); err != nil {
					t.Fatal(err)
				}
			}, false},
			{"sender's row removed behind members", "domain:read", func(t *testing.T, mgr account.Member) {
				if err := f.accounts.DeleteMember(ctx, mgr.ID); err != nil {
					t.Fatal(err)
				}
			}, false},
			{"sender lost the role carrying the granted right", "domain:dns", func(t *testing.T, mgr account.Member) {
				if err := f.rights.RemoveRule(ctx, admin, f.acct.ID, dnsMember(mgr.ID)); err != nil {
					t.Fatal(err)
				}
			}, false},
			{"sender keeps its rights", "domain:read", func(t *testing.T, mgr account.Member) {
				if err := f.svc.SetGrants(ctx, owner, f.acct.ID, mgr.ID, grants(members.RightManage, "domain:read", "domain:dns")); err != nil {
					t.Fatal(err)
				}
			}, true},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				mgr := f.addMember(t, "mgr"+string(rune('a'+i))+"@example.com", members.RightManage, "domain:read")
				if err := f.rights.AddRule(ctx, admin, f.acct.ID, dnsMember(mgr.ID)); err != nil {
					t.Fatal(err)
				}
				planted := "planted" + string(rune('a'+i)) + "@example.com"
				f.invite(t, f.actor(t, mgr.ID), planted, rbac.Grant{Right: tc.grant})
				token := f.token(t, planted)

				tc.remove(t, mgr)
				f.rights.Invalidate(f.acct.ID)

				_, err := f.accept(token, planted, goodPassword)
				if tc.alive {
					if err != nil {
						t.Fatalf("accept: %v", err)
					}
					return
				}
				wantErr(t, err, members.ErrLinkInvalid)
				if _, err := f.svc.Pending(ctx, token); err == nil {
					t.Fatal("Pending still shows the invitation")
				}
				if _, err := f.accounts.MemberByEmail(ctx, f.acct.ID, planted); err == nil {
					t.Fatal("the planted login account exists")
				}
			})
		}

		// Revocation happens with the change, not only at acceptance: the
		// console lists the invitation as revoked.
		mgr := f.addMember(t, "lister@example.com", members.RightManage, "domain:read")
		inv := f.invite(t, f.actor(t, mgr.ID), "listed@example.com", rbac.Grant{Right: "domain:read"})
		if err := f.svc.Delete(ctx, owner, f.acct.ID, mgr.ID); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Invitation(ctx, owner, f.acct.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != members.InvitationRevoked {
			t.Fatalf("invitation of a deleted sender: status %s, want revoked", got.Status)
		}
	})
}

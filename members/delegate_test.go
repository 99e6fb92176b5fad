package members_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// TestDelegationBounds checks that a grant never outgrows nor outlives the
// granter's own: a delegated manager's grants, direct or through a role,
// bound both the resource and the expiry of what it hands out; the owner
// is bound by nothing.
func TestDelegationBounds(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		now := f.clock.Now()
		in := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
		until := func(right string, end *time.Time) rbac.Grant { return rbac.Grant{Right: right, ExpiresAt: end} }

		// A manager whose own grants end in an hour.
		temp := f.addMember(t, "temp@example.com")
		if err := f.rights.SetGrants(ctx, f.acct.ID, temp.ID, []rbac.Grant{
			until(members.RightManage, in(time.Hour)), until("domain:read", in(time.Hour)),
		}); err != nil {
			t.Fatal(err)
		}
		// A manager whose rights come through a role: domain:dns for a
		// day, server:read on vps-1 without end.
		lead := f.addMember(t, "lead@example.com", members.RightManage)
		// A manager holding nothing directly: everything through a role.
		crew := f.addMember(t, "crew@example.com")
		admin := rbac.Actor{ID: "admin", Email: "admin@example.com"}
		for _, r := range []rbac.Rule{
			{PType: "g", Subject: crew.ID, Role: "role:crew"},
			{PType: "p", Subject: "role:crew", Object: "*", Action: members.RightManage},
			{PType: "p", Subject: "role:crew", Object: "example.cm", Action: "domain:read"},
			{PType: "g", Subject: lead.ID, Role: "role:dns-team"},
			{PType: "p", Subject: "role:dns-team", Object: "*", Action: "domain:dns", ExpiresAt: in(24 * time.Hour)},
			{PType: "p", Subject: "role:dns-team", Object: "VPS-1", Action: "server:read"},
		} {
			if err := f.rights.AddRule(ctx, admin, f.acct.ID, r); err != nil {
				t.Fatal(err)
			}
		}
		actors := map[string]members.Actor{
			"owner": f.ownerActor(t), "temp": f.actor(t, temp.ID), "lead": f.actor(t, lead.ID),
			"crew": f.actor(t, crew.ID),
		}

		tests := []struct {
			name, actor string
			grant       rbac.Grant
			ok          bool
		}{
			{"expiring manager grants members:manage without end", "temp", until(members.RightManage, nil), false},
			{"expiring manager grants members:manage past its own end", "temp", until(members.RightManage, in(time.Hour+time.Second)), false},
			{"expiring manager grants members:manage until its own end", "temp", until(members.RightManage, in(time.Hour)), true},
			{"expiring manager grants a narrowing until earlier", "temp", until("domain:read:example.cm", in(time.Minute)), true},
			{"expiring manager grants a narrowing without end", "temp", until("domain:read:example.cm", nil), false},
			{"role right granted within the role's expiry", "lead", until("domain:dns:Example.CM", in(time.Hour)), true},
			{"role right granted without end", "lead", until("domain:dns", nil), false},
			{"role right granted past the role's expiry", "lead", until("domain:dns", in(25*time.Hour)), false},
			{"narrowed role right on its resource", "lead", until("server:read:vps-1", nil), true},
			{"narrowed role right on another resource", "lead", until("server:read:vps-2", nil), false},
			{"narrowed role right widened to every resource", "lead", until("server:read", nil), false},
			{"right held by nobody but the owner", "lead", until("billing:pay", nil), false},
			{"manager by role grants its narrowed right", "crew", until("domain:read:example.cm", nil), true},
			{"manager by role grants members:manage", "crew", until(members.RightManage, in(time.Hour)), true},
			{"manager by role widens its narrowed right", "crew", until("domain:read", nil), false},
			{"owner grants without end", "owner", until("billing:pay", nil), true},
			{"owner grants members:manage without end", "owner", until(members.RightManage, nil), true},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				target := f.addMember(t, fmt.Sprintf("target%d@example.com", i))
				err := f.svc.SetGrants(ctx, actors[tt.actor], f.acct.ID, target.ID, []rbac.Grant{tt.grant})
				if tt.ok {
					if err != nil {
						t.Fatalf("SetGrants(%v) by %s: %v", tt.grant, tt.actor, err)
					}
					return
				}
				wantErr(t, err, members.ErrForbidden)
				// Invitations obey the same bound.
				_, err = f.svc.Invite(ctx, actors[tt.actor], members.InviteRequest{AccountID: f.acct.ID, Email: "new@example.com", Grants: []rbac.Grant{tt.grant}})
				wantErr(t, err, members.ErrForbidden)
			})
		}

		t.Run("grants lapse with the granter's", func(t *testing.T) {
			target := f.addMember(t, "late@example.com")
			g := []rbac.Grant{until("domain:read", in(90*time.Minute))}
			f.clock.Advance(time.Hour)
			wantErr(t, f.svc.SetGrants(ctx, actors["temp"], f.acct.ID, target.ID, g), members.ErrForbidden)
			if got, err := f.rights.Grants(ctx, f.acct.ID, target.ID); err != nil || len(got) != 0 {
				t.Fatalf("grants after a refusal: %v, %v", got, err)
			}
		})
	})
}

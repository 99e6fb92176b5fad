package members_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
)

// TestManage runs the management scenarios on one account per database.
func TestManage(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		t.Run("authorization", func(t *testing.T) { manageAuthorization(t, f) }) // first: checks nothing was revoked
		t.Run("set grants", func(t *testing.T) { setGrants(t, f) })
		t.Run("disable, enable, delete", func(t *testing.T) { disableEnableDelete(t, f) })
		t.Run("operator", func(t *testing.T) { operatorManages(t, f) })
	})
}

func manageAuthorization(t *testing.T, f *fixture) {
	ctx := context.Background()
	owner := f.ownerActor(t)
	mgrMember := f.addMember(t, "manager@example.com", members.RightManage, "domain:read")
	manager := f.actor(t, mgrMember.ID)
	reader := f.addMember(t, "reader@example.com", "domain:read")
	dnsEditor := f.addMember(t, "dns@example.com", "domain:dns")
	peer := f.addMember(t, "peer@example.com", members.RightManage)
	plain := f.actor(t, reader.ID)
	otherAcct, stranger := f.secondAccount(t)
	outsider, err := f.accounts.CreateMember(ctx, otherAcct.ID, "out@other.example", "", account.StatusActive, "")
	if err != nil {
		t.Fatal(err)
	}
	trail := len(f.actions(t))

	ops := []struct {
		name string
		do   func(a members.Actor, memberID string) error
	}{
		{"SetGrants", func(a members.Actor, id string) error {
			return f.svc.SetGrants(ctx, a, f.acct.ID, id, grants("domain:read"))
		}},
		{"disable", func(a members.Actor, id string) error { return f.svc.SetDisabled(ctx, a, f.acct.ID, id, true) }},
		{"Delete", func(a members.Actor, id string) error { return f.svc.Delete(ctx, a, f.acct.ID, id) }},
	}
	refusals := []struct {
		name   string
		actor  members.Actor
		target string
		want   error
	}{
		{"manager on the owner", manager, f.owner.ID, members.ErrForbidden},
		{"manager on itself", manager, mgrMember.ID, members.ErrForbidden},
		{"manager on someone holding a right it lacks", manager, dnsEditor.ID, members.ErrForbidden},
		{"manager on another manager", manager, peer.ID, nil}, // holds nothing the manager lacks
		{"owner on itself", owner, f.owner.ID, members.ErrForbidden},
		{"login account without members:manage", plain, dnsEditor.ID, members.ErrForbidden},
		{"owner of another account", stranger, reader.ID, members.ErrForbidden},
		{"member of another account", owner, outsider.ID, members.ErrNotFound},
		{"unknown member", owner, "m_nobody", members.ErrNotFound},
	}
	for _, op := range ops {
		for _, tc := range refusals {
			if tc.want == nil {
				continue
			}
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				wantErr(t, op.do(tc.actor, tc.target), tc.want)
			})
		}
	}
	t.Run("manager grants a right it lacks", func(t *testing.T) {
		wantErr(t, f.svc.SetGrants(ctx, manager, f.acct.ID, reader.ID, grants("domain:read", "server:read")), members.ErrForbidden)
	})
	t.Run("unknown right", func(t *testing.T) {
		wantInvalid(t, f.svc.SetGrants(ctx, owner, f.acct.ID, reader.ID, grants("domain:fly")), "rights")
	})
	// Nothing refused changed anything.
	if n := len(f.actions(t)); n != trail {
		t.Fatalf("audit trail grew from %d to %d after refusals", trail, n)
	}
	if got := f.revoker.Subjects(); len(got) != 0 {
		t.Fatalf("tokens revoked after refusals: %v", got)
	}
	for _, m := range []account.Member{reader, dnsEditor, peer} {
		got, err := f.accounts.Member(ctx, m.ID)
		if err != nil || got.Status != account.StatusActive {
			t.Fatalf("%s after refusals: %+v, %v", m.Email, got, err)
		}
	}

	t.Run("manager changes what it may", func(t *testing.T) {
		if err := f.svc.SetGrants(ctx, manager, f.acct.ID, reader.ID, grants("domain:read:example.cm")); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetGrants(ctx, manager, f.acct.ID, peer.ID, grants("domain:read")); err != nil {
			t.Fatal(err)
		}
		rights, _ := f.rights.Rights(ctx, f.acct.ID, reader.ID)
		if !slices.Equal(rights, []string{"domain:read:example.cm"}) {
			t.Fatalf("rights = %v", rights)
		}
	})
}

func setGrants(t *testing.T, f *fixture) {
	ctx := context.Background()
	owner := f.ownerActor(t)
	m := f.addMember(t, "nina@example.com", "domain:read", "billing:read")
	// Warm the rights cache: the change must show at the next check.
	if ok, _ := f.rights.Allowed(ctx, m.ID, f.acct.ID, "billing:read", ""); !ok {
		t.Fatal("billing:read not granted at start")
	}

	if err := f.svc.SetGrants(ctx, owner, f.acct.ID, m.ID, grants("domain:read", "server:operate:web1", "domain:read")); err != nil {
		t.Fatal(err)
	}
	la, err := f.svc.Get(ctx, owner, f.acct.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !sameGrants(la.Grants, grants("domain:read", "server:operate:web1")) {
		t.Fatalf("grants = %s", grantList(la.Grants))
	}
	if ok, _ := f.rights.Allowed(ctx, m.ID, f.acct.ID, "billing:read", ""); ok {
		t.Fatal("a removed right is still allowed")
	}
	e := f.lastEvent(t)
	if e.Action != audit.RightsChanged || e.Target != "nina@example.com" || e.ActorID != f.owner.ID || e.IP != "192.0.2.7" {
		t.Fatalf("audit = %+v", e)
	}

	// No right at all is a valid set.
	if err := f.svc.SetGrants(ctx, owner, f.acct.ID, m.ID, nil); err != nil {
		t.Fatal(err)
	}
	if gs, _ := f.rights.Grants(ctx, f.acct.ID, m.ID); len(gs) != 0 {
		t.Fatalf("grants after clearing = %s", grantList(gs))
	}
}

func disableEnableDelete(t *testing.T, f *fixture) {
	d := f.d
	ctx := context.Background()
	owner := f.ownerActor(t)
	m := f.addMember(t, "olga@example.com", "domain:read", members.RightManage)
	raw, _, err := f.accounts.CreateSession(ctx, m.ID, "", "203.0.113.9", "test")
	if err != nil {
		t.Fatal(err)
	}

	if err := f.svc.SetDisabled(ctx, owner, f.acct.ID, m.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := f.revoker.Subjects(); !slices.Equal(got, []string{m.ID}) {
		t.Fatalf("revoked subjects = %v, want [%s]", got, m.ID)
	}
	if _, err := f.accounts.Session(ctx, raw); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("session of a disabled member: %v, want ErrNotFound", err)
	}
	var sessions int
	if err := d.GetContext(ctx, &sessions, d.Rebind(`SELECT COUNT(*) FROM browser_sessions WHERE member_id = ?`), m.ID); err != nil || sessions != 0 {
		t.Fatalf("%d session rows left (%v), want 0", sessions, err)
	}
	if got, _ := f.accounts.Member(ctx, m.ID); got.Status != account.StatusDisabled {
		t.Fatalf("status = %s, want disabled", got.Status)
	}
	if _, err := f.svc.ActorFor(ctx, m.ID, ""); !errors.Is(err, members.ErrForbidden) {
		t.Fatalf("a disabled member may still act: %v", err)
	}
	if err := f.svc.SetDisabled(ctx, owner, f.acct.ID, m.ID, true); err != nil {
		t.Fatalf("disabling twice: %v", err)
	}

	if err := f.svc.SetDisabled(ctx, owner, f.acct.ID, m.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.accounts.Member(ctx, m.ID); got.Status != account.StatusActive {
		t.Fatalf("status = %s, want active", got.Status)
	}
	if rights, _ := f.rights.Rights(ctx, f.acct.ID, m.ID); !slices.Contains(rights, "domain:read") {
		t.Fatalf("rights after re-enabling = %v, want them kept", rights)
	}
	if n := len(f.revoker.Subjects()); n != 1 {
		t.Fatalf("%d revocations, want 1: re-enabling revokes nothing", n)
	}

	raw, _, err = f.accounts.CreateSession(ctx, m.ID, "", "203.0.113.9", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(ctx, owner, f.acct.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.revoker.Subjects(); !slices.Equal(got, []string{m.ID, m.ID}) {
		t.Fatalf("revoked subjects = %v, want the member twice", got)
	}
	if gs, err := f.rights.Grants(ctx, f.acct.ID, m.ID); err != nil || len(gs) != 0 {
		t.Fatalf("grants after delete = %v, %v", gs, err)
	}
	var rules int
	if err := d.GetContext(ctx, &rules, d.Rebind(`SELECT COUNT(*) FROM casbin_rule WHERE v0 = ?`), m.ID); err != nil || rules != 0 {
		t.Fatalf("%d policy rows left (%v)", rules, err)
	}
	if _, err := f.svc.Get(ctx, owner, f.acct.ID, m.ID); !errors.Is(err, members.ErrNotFound) {
		t.Fatalf("Get after delete: %v, want ErrNotFound", err)
	}
	if _, err := f.accounts.Session(ctx, raw); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("session after delete: %v", err)
	}
	wantErr(t, f.svc.Delete(ctx, owner, f.acct.ID, m.ID), members.ErrNotFound)
	list, err := f.svc.List(ctx, owner, f.acct.ID)
	if err != nil || len(list) == 0 || list[0].ID != f.owner.ID {
		t.Fatalf("List after delete = %+v, %v; want the owner first", list, err)
	}
	for _, la := range list {
		if la.ID == m.ID {
			t.Fatal("List after delete names the deleted member")
		}
	}

	// Every change left its line, naming who and whom.
	var tail []audit.Event
	events, _ := audit.New(d).List(ctx, f.acct.ID, 3)
	for i := len(events) - 1; i >= 0; i-- {
		tail = append(tail, events[i])
	}
	want := []string{audit.MemberDisabled, audit.MemberEnabled, audit.MemberDeleted}
	for i, e := range tail {
		if e.Action != want[i] || e.Target != "olga@example.com" || e.ActorID != f.owner.ID || e.ActorEmail != ownerEmail {
			t.Errorf("event %d = %+v, want %s by the owner on olga", i, e, want[i])
		}
	}
}

// The operator (CLI) acts as the owner of any account.
func operatorManages(t *testing.T, f *fixture) {
	ctx := context.Background()
	m := f.addMember(t, "paul@example.com", "domain:read")
	op := members.Operator()
	if err := f.svc.SetGrants(ctx, op, f.acct.ID, m.ID, grants("members:manage")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.svc.Delete(ctx, op, f.acct.ID, f.owner.ID), members.ErrForbidden)
	if err := f.svc.Delete(ctx, op, f.acct.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	if e := f.lastEvent(t); e.Action != audit.MemberDeleted || e.ActorEmail != op.Email {
		t.Fatalf("audit = %+v", e)
	}
}

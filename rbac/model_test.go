package rbac

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// Accounts and members of the model tests.
const (
	acct1, acct2   = "id100001", "id100002"
	owner1, owner2 = "m-owner-1", "m-owner-2"
	web            = "m-webmaster"
	temp           = "m-temporary"
)

// fixture: owner1 owns acct1, owner2 owns acct2; in acct1 web holds
// domain:read, domain:dns on example.cm only, and email:read; temp holds
// billing:read for one hour.
func fixture(t *testing.T, d *db.DB) (*Service, *clock) {
	t.Helper()
	c := newClock()
	s := newService(t, d, Options{Now: c.Now, CacheSize: 16})
	setOwner(t, s, acct1, owner1)
	setOwner(t, s, acct2, owner2)
	setGrants(t, s, acct1, web, grant("domain:read"), grant("domain:dns:example.cm"), grant("email:read"))
	setGrants(t, s, acct1, temp, grantUntil("billing:read", c.Now().Add(time.Hour)))
	return s, c
}

func TestModel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := fixture(t, d)
		type req struct {
			member, account, right, resource string
			want                             bool
		}
		tests := []struct {
			name  string
			after time.Duration // clock advance before the checks
			reqs  []req
		}{
			{name: "owner holds every right of its account", reqs: []req{
				{owner1, acct1, "domain:manage", "", true},
				{owner1, acct1, "domain:dns", "anything.cm", true},
				{owner1, acct1, "members:manage", "", true},
				{owner1, acct1, "billing:pay", "", true},
			}},
			{name: "owner holds nothing in another account", reqs: []req{
				{owner1, acct2, "domain:read", "", false},
				{owner2, acct1, "billing:read", "", false},
				{owner1, "id999999", "domain:read", "", false},
			}},
			{name: "login account holds exactly its rights", reqs: []req{
				{web, acct1, "domain:read", "", true},
				{web, acct1, "domain:read", "example.cm", true},
				{web, acct1, "domain:read", "other.cm", true},
				{web, acct1, "email:read", "", true},
				{web, acct1, "email:manage", "", false},
				{web, acct1, "domain:manage", "example.cm", false},
				{web, acct1, "billing:read", "", false},
				{web, acct1, "members:manage", "", false},
				{web, acct2, "domain:read", "", false},
			}},
			{name: "narrowed right matches its resource only", reqs: []req{
				{web, acct1, "domain:dns", "example.cm", true},
				{web, acct1, "domain:dns", "EXAMPLE.CM", true},
				{web, acct1, "domain:dns:example.cm", "", true},
				{web, acct1, "domain:dns", "other.cm", false},
				{web, acct1, "domain:dns", "sub.example.cm", false},
				{web, acct1, "domain:dns", "", false},
			}},
			{name: "unknown subjects are denied", reqs: []req{
				{"m-stranger", acct1, "domain:read", "", false},
				{"role:owner", acct1, "domain:read", "", false},
				{"", acct1, "domain:read", "", false},
				{owner1, "", "domain:read", "", false},
			}},
			{name: "grant live before its expiry", after: 59 * time.Minute, reqs: []req{
				{temp, acct1, "billing:read", "", true},
				{temp, acct1, "billing:pay", "", false},
			}},
			{name: "expired grant denied at once", after: time.Minute, reqs: []req{
				{temp, acct1, "billing:read", "", false},
				{web, acct1, "domain:read", "", true},
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c.Advance(tt.after)
				for _, r := range tt.reqs {
					if got := mustAllowed(t, s, r.member, r.account, r.right, r.resource); got != r.want {
						t.Errorf("Allowed(%q, %q, %q, %q) = %v, want %v", r.member, r.account, r.right, r.resource, got, r.want)
					}
				}
			})
		}
	})
}

func TestAllowedRejectsBadInput(t *testing.T) {
	s, _ := fixture(t, dbtest.SQLite(t))
	tests := []struct {
		name, right, resource string
		want                  error
	}{
		{name: "unknown right", right: "domain:destroy", want: ErrUnknownRight},
		{name: "malformed right", right: "domain", want: ErrInvalidRight},
		{name: "malformed resource", right: "domain:dns", resource: "ex ample.cm", want: ErrInvalidRight},
		{name: "wildcard resource", right: "domain:dns", resource: "*", want: ErrInvalidRight},
		{name: "two resources", right: "domain:dns:a.cm", resource: "b.cm", want: ErrInvalidRight},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := s.Allowed(context.Background(), owner1, acct1, tt.right, tt.resource)
			if ok || !errors.Is(err, tt.want) {
				t.Fatalf("Allowed = %v, %v; want false, %v", ok, err, tt.want)
			}
		})
	}
}

func TestRightsAndGrants(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := fixture(t, d)
		ctx := context.Background()
		all := make([]string, 0, len(catalog))
		for _, r := range Catalog() {
			all = append(all, r.Right)
		}
		tests := []struct {
			name    string
			account string
			member  string
			after   time.Duration
			want    []string
		}{
			{name: "owner gets the catalog", account: acct1, member: owner1, want: all},
			{name: "owner of another account gets nothing", account: acct2, member: owner1, want: []string{}},
			{name: "login account gets its grants", account: acct1, member: web,
				want: []string{"domain:read", "domain:dns:example.cm", "email:read"}},
			{name: "time-limited grant listed while live", account: acct1, member: temp, want: []string{"billing:read"}},
			{name: "unknown member gets nothing", account: acct1, member: "m-nobody", want: []string{}},
			{name: "expired grant dropped", account: acct1, member: temp, after: time.Hour, want: []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c.Advance(tt.after)
				got, err := s.Rights(ctx, tt.account, tt.member)
				if err != nil || !slices.Equal(got, tt.want) {
					t.Fatalf("Rights = %v, %v; want %v", got, err, tt.want)
				}
			})
		}

		grants, err := s.Grants(ctx, acct1, web)
		if err != nil {
			t.Fatal(err)
		}
		var rights []string
		for _, g := range grants {
			if g.ExpiresAt != nil {
				t.Errorf("grant %s has expiry %v, want none", g.Right, g.ExpiresAt)
			}
			rights = append(rights, g.Right)
		}
		if want := []string{"domain:read", "domain:dns:example.cm", "email:read"}; !slices.Equal(rights, want) {
			t.Fatalf("Grants = %v, want %v", rights, want)
		}

		exp := c.Now().Add(2 * time.Hour).Truncate(time.Second)
		setGrants(t, s, acct1, temp, grantUntil("billing:pay", exp), grant("server:read:vps1"), grant("server:read"))
		grants, err = s.Grants(ctx, acct1, temp)
		if err != nil || len(grants) != 3 || grants[2].Right != "billing:pay" || grants[2].ExpiresAt == nil || !grants[2].ExpiresAt.Equal(exp) {
			t.Fatalf("Grants = %+v, %v; want billing:pay until %v last", grants, err, exp)
		}
		// The narrowed right is covered by the whole one in tokens.
		got, err := s.Rights(ctx, acct1, temp)
		if want := []string{"server:read", "billing:pay"}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("Rights = %v, %v; want %v", got, err, want)
		}
	})
}

func TestSetGrantsValidates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := fixture(t, d)
		ctx := context.Background()
		past := c.Now().Add(-time.Second)
		tests := []struct {
			name    string
			account string
			member  string
			grants  []Grant
			want    error
		}{
			{name: "unknown right", account: acct1, member: web, grants: []Grant{grant("domain:read"), grant("domain:fly")}, want: ErrUnknownRight},
			{name: "bad resource", account: acct1, member: web, grants: []Grant{grant("domain:dns:exa_mple..cm")}, want: ErrInvalidRight},
			{name: "expiry in the past", account: acct1, member: web, grants: []Grant{grantUntil("domain:read", past)}, want: ErrInvalidRight},
			{name: "role as member", account: acct1, member: "role:owner", grants: []Grant{grant("domain:read")}, want: ErrInvalidSubject},
			{name: "empty member", account: acct1, member: "", want: ErrInvalidSubject},
			{name: "empty account", account: "", member: web, want: ErrInvalidSubject},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.SetGrants(ctx, tt.account, tt.member, tt.grants)
				if !errors.Is(err, tt.want) {
					t.Fatalf("SetGrants = %v, want %v", err, tt.want)
				}
				// Nothing changed.
				got, err := s.Rights(ctx, acct1, web)
				if want := []string{"domain:read", "domain:dns:example.cm", "email:read"}; err != nil || !slices.Equal(got, want) {
					t.Fatalf("after a refused SetGrants, Rights = %v, %v; want %v", got, err, want)
				}
			})
		}
	})
}

package rbac

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// TestEffectiveGrants checks what a member holds with expiries: direct
// grants and those of its roles, the later expiry of a right held twice,
// the whole catalog without end for an owner, nothing expired.
func TestEffectiveGrants(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := fixture(t, d)
		ctx := context.Background()
		now := c.Now()
		in := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
		admin := Actor{ID: "admin"}
		for _, r := range []Rule{
			{PType: "g", Subject: web, Role: "role:ops"},
			{PType: "p", Subject: "role:ops", Object: "vps-1", Action: "server:operate", ExpiresAt: in(2 * time.Hour)},
			{PType: "p", Subject: "role:ops", Action: "domain:read", ExpiresAt: in(time.Hour)},
			{PType: "p", Subject: "role:ops", Action: "email:manage", ExpiresAt: in(-time.Minute)},
		} {
			if err := s.AddRule(ctx, admin, acct1, r); err != nil {
				t.Fatal(err)
			}
		}
		show := func(gs []Grant) []string {
			out := []string{}
			for _, g := range gs {
				s := g.Right
				if g.ExpiresAt != nil {
					s += "@" + g.ExpiresAt.Sub(now).String()
				}
				out = append(out, s)
			}
			return out
		}
		tests := []struct {
			member string
			want   []string
		}{
			// domain:read is held without end directly and for an hour
			// through the role: the later end wins.
			{web, []string{"domain:read", "domain:dns:example.cm", "server:operate:vps-1@2h0m0s", "email:read"}},
			{temp, []string{"billing:read@1h0m0s"}},
			{"m_nobody", []string{}},
		}
		for _, tt := range tests {
			got, err := s.EffectiveGrants(ctx, acct1, tt.member)
			if err != nil || !slices.Equal(show(got), tt.want) {
				t.Errorf("EffectiveGrants(%s) = %v, %v; want %v", tt.member, show(got), err, tt.want)
			}
		}
		owned, err := s.EffectiveGrants(ctx, acct1, owner1)
		if err != nil || len(owned) != len(Catalog()) {
			t.Fatalf("EffectiveGrants(owner) = %v, %v", show(owned), err)
		}
		for i, g := range owned {
			if g.Right != Catalog()[i].Right || g.ExpiresAt != nil {
				t.Fatalf("owner holds %v, want the catalog without end", show(owned))
			}
		}
		c.Advance(time.Hour)
		got, _ := s.EffectiveGrants(ctx, acct1, temp)
		if len(got) != 0 {
			t.Fatalf("expired grant still held: %v", show(got))
		}
		rs, err := s.Rights(ctx, acct1, web)
		if want := []string{"domain:read", "domain:dns:example.cm", "server:operate:vps-1", "email:read"}; err != nil || !slices.Equal(rs, want) {
			t.Fatalf("Rights = %v, %v; want %v", rs, err, want)
		}
	})
}

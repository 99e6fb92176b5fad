package rights_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/rights"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) *time.Time {
	t := now.Add(d)
	return &t
}

func TestNormalizeGrants(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	inParis := now.Add(48 * time.Hour).In(paris).Add(300 * time.Millisecond)
	errNarrow := errors.New("cannot be narrowed")
	catalog := func(r rights.Right) error {
		if r.Product == "billing" && r.Resource != "" {
			return errNarrow
		}
		return nil
	}
	tests := []struct {
		name    string
		in      []rights.Grant
		want    []rights.Grant
		wantErr error
	}{
		{name: "none", in: nil, want: []rights.Grant{}},
		{name: "canonical form", in: []rights.Grant{{Right: "domain:dns:Example.CM."}, {Right: "server:read", ExpiresAt: &inParis}},
			want: []rights.Grant{{Right: "domain:dns:example.cm"}, {Right: "server:read", ExpiresAt: at(48 * time.Hour)}}},
		{name: "duplicate keeps its first place and the later expiry",
			in:   []rights.Grant{{Right: "domain:dns:example.cm", ExpiresAt: at(time.Hour)}, {Right: "server:read"}, {Right: "domain:dns:EXAMPLE.cm", ExpiresAt: at(2 * time.Hour)}, {Right: "domain:dns:example.cm", ExpiresAt: at(30 * time.Minute)}},
			want: []rights.Grant{{Right: "domain:dns:example.cm", ExpiresAt: at(2 * time.Hour)}, {Right: "server:read"}}},
		{name: "no expiry is the latest", in: []rights.Grant{{Right: "domain:dns", ExpiresAt: at(time.Hour)}, {Right: "domain:dns"}, {Right: "domain:dns", ExpiresAt: at(3 * time.Hour)}},
			want: []rights.Grant{{Right: "domain:dns"}}},
		{name: "whole and narrowed rights are different grants", in: []rights.Grant{{Right: "domain:dns"}, {Right: "domain:dns:example.cm"}},
			want: []rights.Grant{{Right: "domain:dns"}, {Right: "domain:dns:example.cm"}}},
		{name: "expiry in the past", in: []rights.Grant{{Right: "domain:dns", ExpiresAt: at(-time.Second)}}, wantErr: rights.ErrExpired},
		{name: "expiry now", in: []rights.Grant{{Right: "domain:dns", ExpiresAt: at(0)}}, wantErr: rights.ErrExpired},
		{name: "expiry within the current second", in: []rights.Grant{{Right: "domain:dns", ExpiresAt: at(500 * time.Millisecond)}}, wantErr: rights.ErrExpired},
		{name: "malformed right", in: []rights.Grant{{Right: "domain:dns"}, {Right: "domain:dns:*"}}, wantErr: rights.ErrInvalidResource},
		{name: "refused by the catalog", in: []rights.Grant{{Right: "billing:pay:inv-1"}}, wantErr: errNarrow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rights.NormalizeGrants(tt.in, now, catalog)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("NormalizeGrants = %v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || fmt.Sprint(show(got)) != fmt.Sprint(show(tt.want)) {
				t.Fatalf("NormalizeGrants = %v, %v; want %v", show(got), err, show(tt.want))
			}
		})
	}
}

// show renders grants comparably (time zones and pointers aside).
func show(gs []rights.Grant) []string {
	out := []string{}
	for _, g := range gs {
		s := g.Right
		if g.ExpiresAt != nil {
			s += "@" + g.ExpiresAt.Format(time.RFC3339Nano)
			if g.ExpiresAt.Location() != time.UTC {
				s += "(not UTC)"
			}
		}
		out = append(out, s)
	}
	return out
}

func TestLive(t *testing.T) {
	gs := []rights.Grant{{Right: "a:b"}, {Right: "a:c", ExpiresAt: at(time.Second)}, {Right: "a:d", ExpiresAt: at(0)}, {Right: "a:e", ExpiresAt: at(999 * time.Millisecond)}}
	got := show(rights.Live(gs, now))
	if want := []string{"a:b", "a:c@" + at(time.Second).Format(time.RFC3339Nano)}; !slices.Equal(got, want) {
		t.Fatalf("Live = %v, want %v", got, want)
	}
}

func TestDelegable(t *testing.T) {
	held := []rights.Grant{
		{Right: "domain:dns"},
		{Right: "server:read:vps-1", ExpiresAt: at(time.Hour)},
		{Right: "server:read", ExpiresAt: at(10 * time.Minute)},
		{Right: "email:read", ExpiresAt: at(-time.Minute)},
		{Right: "not a right"},
	}
	tests := []struct {
		name string
		g    rights.Grant
		ok   bool
	}{
		{name: "whole right without end", g: rights.Grant{Right: "domain:dns"}, ok: true},
		{name: "narrowing of a whole right", g: rights.Grant{Right: "domain:dns:Example.CM", ExpiresAt: at(time.Hour)}, ok: true},
		{name: "same narrowed right, same end", g: rights.Grant{Right: "server:read:vps-1", ExpiresAt: at(time.Hour)}, ok: true},
		{name: "narrowed right ending earlier", g: rights.Grant{Right: "server:read:vps-1", ExpiresAt: at(time.Minute)}, ok: true},
		{name: "narrowed right outliving the granter's", g: rights.Grant{Right: "server:read:vps-1", ExpiresAt: at(2 * time.Hour)}, ok: false},
		{name: "narrowed right without end", g: rights.Grant{Right: "server:read:vps-1"}, ok: false},
		{name: "whole right ending before the granter's", g: rights.Grant{Right: "server:read", ExpiresAt: at(time.Minute)}, ok: true},
		{name: "whole right outliving the granter's", g: rights.Grant{Right: "server:read", ExpiresAt: at(time.Hour)}, ok: false},
		{name: "another resource", g: rights.Grant{Right: "server:read:vps-2", ExpiresAt: at(time.Hour)}, ok: false},
		{name: "expired held grant", g: rights.Grant{Right: "email:read", ExpiresAt: at(-2 * time.Minute)}, ok: false},
		{name: "not held", g: rights.Grant{Right: "members:manage"}, ok: false},
		{name: "malformed", g: rights.Grant{Right: "domain:*"}, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rights.Delegable(held, tt.g, now); got != tt.ok {
				t.Fatalf("Delegable(%s) = %v, want %v", show([]rights.Grant{tt.g}), got, tt.ok)
			}
		})
	}
}

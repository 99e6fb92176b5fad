package rbac

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

func TestAdminRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := fixture(t, d)
		ctx := context.Background()
		admin := Actor{ID: "adm-1", Email: "admin@sesame.example", IP: "192.0.2.1"}
		role := Rule{PType: "p", Subject: "role:dns-editor", Object: "example.cm", Action: "domain:dns"}
		member := Rule{PType: "g", Subject: temp, Role: "role:dns-editor"}
		for _, r := range []Rule{role, member} {
			if err := s.AddRule(ctx, admin, acct1, r); err != nil {
				t.Fatalf("AddRule(%+v): %v", r, err)
			}
		}
		if !mustAllowed(t, s, temp, acct1, "domain:dns", "example.cm") {
			t.Fatal("role granted by AddRule not effective")
		}
		if got, err := s.Rights(ctx, acct1, temp); err != nil || !slices.Equal(got, []string{"domain:dns:example.cm", "billing:read"}) {
			t.Fatalf("Rights through a role = %v, %v", got, err)
		}
		x, err := s.Explain(ctx, temp, acct1, "domain:dns", "example.cm")
		if err != nil || !x.Allowed || !strings.Contains(x.Reason, "holds role dns-editor") {
			t.Fatalf("Explain = %+v, %v", x, err)
		}
		if err := s.AddRule(ctx, admin, acct1, member); !errors.Is(err, db.ErrAlreadyExists) {
			t.Fatalf("AddRule twice = %v, want ErrAlreadyExists", err)
		}

		rules, err := s.Policies(ctx, acct1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(rules, func(r Rule) bool { return r == role }) {
			t.Fatalf("Policies lacks %+v: %+v", role, rules)
		}
		exp := c.Now().Add(time.Hour)
		if i := slices.IndexFunc(rules, func(r Rule) bool { return r.Subject == temp && r.PType == "p" }); i < 0 || !rules[i].ExpiresAt.Equal(exp) {
			t.Fatalf("Policies: temp's expiring grant missing or wrong: %+v", rules)
		}

		if err := s.RemoveRule(ctx, admin, acct1, member); err != nil {
			t.Fatal(err)
		}
		if mustAllowed(t, s, temp, acct1, "domain:dns", "example.cm") {
			t.Fatal("role still effective after RemoveRule")
		}
		if err := s.RemoveRule(ctx, admin, acct1, member); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("RemoveRule twice = %v, want ErrNotFound", err)
		}

		events, err := audit.New(d).List(ctx, acct1, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 3 {
			t.Fatalf("%d audit events, want 3 (two adds, one removal): %+v", len(events), events)
		}
		last := events[0]
		if last.Action != audit.PolicyChanged || last.ActorID != admin.ID || last.ActorEmail != admin.Email ||
			last.IP != admin.IP || last.Detail != "remove g, m-temporary, role:dns-editor, id100001" {
			t.Fatalf("last audit event = %+v", last)
		}
	})
}

func TestAdminRuleValidation(t *testing.T) {
	s, _ := fixture(t, dbtest.SQLite(t))
	ctx := context.Background()
	past := time.Now()
	tests := []struct {
		name string
		rule Rule
		want error
	}{
		{name: "unknown type", rule: Rule{PType: "x", Subject: "a"}, want: ErrInvalidRight},
		{name: "empty subject", rule: Rule{PType: "p", Action: "domain:read"}, want: ErrInvalidSubject},
		{name: "unknown right", rule: Rule{PType: "p", Subject: "a", Action: "domain:fly"}, want: ErrUnknownRight},
		{name: "resource in action", rule: Rule{PType: "p", Subject: "a", Action: "domain:dns:x.cm"}, want: ErrInvalidRight},
		{name: "bad object", rule: Rule{PType: "p", Subject: "a", Action: "domain:dns", Object: "a b"}, want: ErrInvalidRight},
		{name: "narrowed billing", rule: Rule{PType: "p", Subject: "a", Action: "billing:pay", Object: "x.cm"}, want: ErrInvalidRight},
		{name: "role on p", rule: Rule{PType: "p", Subject: "a", Action: "domain:dns", Role: "role:x"}, want: ErrInvalidRight},
		{name: "g without role prefix", rule: Rule{PType: "g", Subject: "a", Role: "owner"}, want: ErrInvalidSubject},
		{name: "g with action", rule: Rule{PType: "g", Subject: "a", Role: "role:x", Action: "domain:dns"}, want: ErrInvalidRight},
		{name: "g with expiry", rule: Rule{PType: "g", Subject: "a", Role: "role:x", ExpiresAt: &past}, want: ErrInvalidRight},
		{name: "bad role name", rule: Rule{PType: "g", Subject: "a", Role: "role:Bad Name"}, want: ErrInvalidSubject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.AddRule(ctx, Actor{ID: "adm"}, acct1, tt.rule); !errors.Is(err, tt.want) {
				t.Fatalf("AddRule = %v, want %v", err, tt.want)
			}
		})
	}
	if events, err := audit.New(s.d).List(ctx, acct1, 10); err != nil || len(events) != 0 {
		t.Fatalf("refused rules left audit events: %+v, %v", events, err)
	}
}

func TestTemplates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d, Options{})
		ctx := context.Background()
		admin := Actor{ID: "adm-1", Email: "admin@sesame.example"}
		list, err := s.Templates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]Template{}
		for _, tp := range list {
			byID[tp.ID] = tp
		}
		want := map[string][]string{
			"server-technician": {"server:read", "server:operate"},
			"accountant":        {"billing:read", "billing:pay"},
			"webmaster":         {"domain:read", "domain:dns", "email:read"},
		}
		if len(list) != len(want) {
			t.Fatalf("default templates = %+v", list)
		}
		for id, rights := range want {
			if !slices.Equal(byID[id].Rights, rights) {
				t.Errorf("template %s rights = %v, want %v", id, byID[id].Rights, rights)
			}
		}
		if got := byID["accountant"].Name("fr"); got != "Comptable" {
			t.Errorf("accountant in French = %q", got)
		}
		if got := byID["server-technician"].Name("en-US"); got != "Server technician" {
			t.Errorf("server-technician in English = %q", got)
		}

		saved, err := s.SaveTemplate(ctx, admin, Template{ID: "support", NameFR: " Support ", NameEN: "Support",
			Rights: []string{"members:manage", "domain:read", "domain:read"}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(saved.Rights, []string{"domain:read", "members:manage"}) || saved.NameFR != "Support" {
			t.Fatalf("saved = %+v", saved)
		}
		if _, err := s.SaveTemplate(ctx, admin, Template{ID: "bad", NameFR: "x", NameEN: "x", Rights: []string{"domain:dns:a.cm"}}); !errors.Is(err, ErrInvalidRight) {
			t.Fatalf("template with a resource: %v", err)
		}
		if _, err := s.SaveTemplate(ctx, admin, Template{ID: "Bad ID", NameFR: "x", NameEN: "x"}); !errors.Is(err, ErrInvalidRight) {
			t.Fatalf("template with a bad id: %v", err)
		}
		if err := s.DeleteTemplate(ctx, admin, "webmaster"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTemplate(ctx, admin, "webmaster"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("second delete = %v, want ErrNotFound", err)
		}

		// A deleted default stays deleted for a new instance.
		s2 := newService(t, d, Options{})
		list, err = s2.Templates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tp := range list {
			ids = append(ids, tp.ID)
		}
		if want := []string{"accountant", "support", "server-technician"}; !slices.Equal(ids, want) {
			t.Fatalf("templates after edits = %v, want %v", ids, want)
		}
		events, err := audit.New(d).List(ctx, "", 10)
		if err != nil || len(events) != 2 || events[0].Action != audit.TemplateChanged || events[0].Target != "webmaster" {
			t.Fatalf("audit = %+v, %v", events, err)
		}
	})
}

// TestOwnerRulesGuarded: no rule edit removes, narrows or hands out the
// owner's role; the owner keeps every right.
func TestOwnerRulesGuarded(t *testing.T) {
	s, _ := fixture(t, dbtest.SQLite(t))
	ctx := context.Background()
	admin := Actor{ID: "adm-1", Email: "admin@sesame.example"}
	tests := []struct {
		name string
		add  bool
		rule Rule
	}{
		{name: "remove the owner's role", rule: Rule{PType: "g", Subject: owner1, Role: "role:owner"}},
		{name: "remove the role's rights", rule: Rule{PType: "p", Subject: "role:owner", Object: "*", Action: "*"}},
		{name: "give the role to another", add: true, rule: Rule{PType: "g", Subject: web, Role: "role:owner"}},
		{name: "add a right to the role", add: true, rule: Rule{PType: "p", Subject: "role:owner", Object: "x.cm", Action: "domain:dns"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.add {
				err = s.AddRule(ctx, admin, acct1, tt.rule)
			} else {
				err = s.RemoveRule(ctx, admin, acct1, tt.rule)
			}
			if !errors.Is(err, ErrOwnerRule) {
				t.Fatalf("err = %v, want ErrOwnerRule", err)
			}
			if !mustAllowed(t, s, owner1, acct1, "billing:pay", "") {
				t.Fatal("the owner lost a right")
			}
		})
	}
}

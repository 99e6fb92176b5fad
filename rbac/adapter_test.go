package rbac

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/policies"
)

// newEnforcer returns a full enforcer over a fresh adapter on d, with live()
// always true.
func newEnforcer(t *testing.T, d *db.DB) (*casbin.Enforcer, *Adapter) {
	t.Helper()
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		t.Fatal(err)
	}
	a := NewAdapter(d)
	e, err := casbin.NewEnforcer(m, a)
	if err != nil {
		t.Fatal(err)
	}
	e.AddFunction("live", func(...any) (any, error) { return true, nil })
	return e, a
}

// stored returns the rows of casbin_rule as "ptype,v0,...,v5" lines.
func stored(t *testing.T, d *db.DB) []string {
	t.Helper()
	var rows []ruleRow
	if err := d.Select(&rows, `SELECT `+ruleColumns+` FROM casbin_rule ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		v := r.values()
		out = append(out, r.PType+","+strings.Join(v[:], ","))
	}
	return out
}

func TestAdapter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ok := func(ok bool, err error) {
			t.Helper()
			if err != nil || !ok {
				t.Fatalf("got %v, %v", ok, err)
			}
		}
		for _, r := range []struct {
			ptype string
			rules [][]string
		}{
			{"p", [][]string{{"alice", "id1", "*", "domain:read", ""}, {"bob", "id1", "y.cm", "domain:dns", ""}, {"carol", "id2", "*", "billing:read", "2030-01-01T00:00:00Z"}}},
			{"g", [][]string{{"dave", "role:owner", "id2"}}},
			{"p", [][]string{{"role:owner", "id2", "*", "*", ""}}},
		} {
			if _, err := insertRules(ctx, d, r.ptype, r.rules); err != nil {
				t.Fatal(err)
			}
		}

		// A full load sees every rule and decides.
		e, a := newEnforcer(t, d)
		if got, want := len(e.GetModel()["p"]["p"].Policy), 4; got != want {
			t.Fatalf("full load: %d p rules, want %d", got, want)
		}
		ok(e.Enforce("dave", "id2", "*", "email:manage"))
		ok(e.Enforce("bob", "id1", "y.cm", "domain:dns"))

		// The adapter never auto-saves: rules change through Service.
		if _, err := e.AddPolicy("erin", "id1", "*", "server:read", ""); !errors.Is(err, ErrNoAutoSave) {
			t.Fatalf("auto-saved AddPolicy = %v, want ErrNoAutoSave", err)
		}
		if err := a.RemoveFilteredPolicy("p", "p", 1, "id1"); !errors.Is(err, ErrNoAutoSave) {
			t.Fatalf("RemoveFilteredPolicy = %v, want ErrNoAutoSave", err)
		}

		// Filtered load: one account only, and saving is then refused.
		e3, a3 := newEnforcer(t, d)
		if err := e3.LoadFilteredPolicy(Filter{Domain: "id2"}); err != nil {
			t.Fatal(err)
		}
		if !a3.IsFiltered() {
			t.Fatal("IsFiltered false after a filtered load")
		}
		gotP, _ := e3.GetPolicy()
		gotG, _ := e3.GetGroupingPolicy()
		if len(gotP) != 2 || len(gotG) != 1 {
			t.Fatalf("filtered load of id2: p=%v g=%v", gotP, gotG)
		}
		for _, r := range gotP {
			if r[pDom] != "id2" {
				t.Fatalf("filtered load returned a rule of %s", r[pDom])
			}
		}
		if err := e3.SavePolicy(); err == nil {
			t.Fatal("SavePolicy after a filtered load succeeded")
		}
		if err := e3.LoadFilteredPolicy("id2"); err == nil {
			t.Fatal("filter of the wrong type accepted")
		}

		// SavePolicy of an unfiltered enforcer replaces the table.
		e4, _ := newEnforcer(t, d)
		e4.EnableAutoSave(false)
		ok(e4.RemoveFilteredPolicy(1, "id1"))
		ok(e4.RemoveGroupingPolicy("dave", "role:owner", "id2"))
		ok(e4.AddPolicy("erin", "id3", "*", "server:read", ""))
		if err := e4.SavePolicy(); err != nil {
			t.Fatal(err)
		}
		want := []string{"p,carol,id2,*,billing:read,2030-01-01T00:00:00Z,", "p,role:owner,id2,*,*,,", "p,erin,id3,*,server:read,,"}
		if got := stored(t, d); !slices.Equal(got, want) {
			t.Fatalf("after SavePolicy:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestRulesRejectOversizedRules(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if _, err := insertRules(ctx, d, "p", [][]string{{"1", "2", "3", "4", "5", "6", "7"}}); !errors.Is(err, ErrInvalidRight) {
		t.Fatalf("seven fields: %v", err)
	}
	if _, err := insertRules(ctx, d, "p", [][]string{{strings.Repeat("x", 1000)}}); !errors.Is(err, ErrInvalidRight) {
		t.Fatalf("huge field: %v", err)
	}
}

// TestQueriesUseIndexes checks the plans of the queries that must not scan
// the table: the per-account load on both engines, and on SQLite (whose
// planner has no statistics to go by) every hot statement.
func TestQueriesUseIndexes(t *testing.T) {
	tests := []struct {
		name, query string
		args        []any
		postgres    bool // also checked on PostgreSQL
		want        []string
	}{
		{name: "account load", query: accountRulesSQL, args: []any{"id1", "id1"}, postgres: true,
			want: []string{"casbin_rule_unique", "casbin_rule_g_account"}},
		{name: "member grants", query: `DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = ? AND v0 = ?`, args: []any{"id1", "m"},
			want: []string{"casbin_rule_unique (ptype=? AND v1=? AND v0=?)"}},
		{name: "member roles", query: `DELETE FROM casbin_rule WHERE ptype = 'g' AND v2 = ? AND v0 = ?`, args: []any{"id1", "m"},
			want: []string{"casbin_rule_g_account (v2=? AND ptype=?)"}},
		{name: "previous owner", query: `DELETE FROM casbin_rule WHERE ptype = 'g' AND v2 = ? AND v1 = ? AND v0 <> ?`, args: []any{"id1", ownerRole, "m"},
			want: []string{"casbin_rule_g_account (v2=? AND ptype=? AND v1=?)"}},
		{name: "purge", query: `DELETE FROM casbin_rule WHERE ptype = 'p' AND v4 <> '' AND v4 <= ?`, args: []any{"2026-01-01T00:00:00Z"},
			want: []string{"casbin_rule_p_expiry"}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if d.Dialect == db.Postgres {
			if _, err := d.Exec(`SET enable_seqscan = off`); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var plan []string
				switch {
				case d.Dialect == db.SQLite:
					var rows []struct {
						ID, Parent, NotUsed int
						Detail              string
					}
					if err := d.Select(&rows, `EXPLAIN QUERY PLAN `+d.Rebind(tt.query), tt.args...); err != nil {
						t.Fatal(err)
					}
					for _, r := range rows {
						plan = append(plan, r.Detail)
					}
				case tt.postgres:
					if err := d.Select(&plan, `EXPLAIN `+d.Rebind(tt.query), tt.args...); err != nil {
						t.Fatal(err)
					}
				default:
					t.Skip("PostgreSQL plans depend on statistics")
				}
				text := strings.Join(plan, "\n")
				for _, index := range tt.want {
					if !strings.Contains(text, index) {
						t.Errorf("plan does not use %s:\n%s", index, text)
					}
				}
			})
		}
	})
}

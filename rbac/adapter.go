package rbac

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/sesame-idp/sesame/db"
)

// Adapter loads Casbin rules from the casbin_rule table (ptype, v0..v5) of
// PostgreSQL or SQLite, whole or filtered by account (Filter), with and
// without a context, and saves a whole policy. It does not auto-save: its
// AddPolicy, RemovePolicy and RemoveFilteredPolicy refuse with
// ErrNoAutoSave, since Service writes rules in the caller's transaction.
// It is safe for concurrent use.
type Adapter struct {
	d        *db.DB
	filtered atomic.Bool
}

// Filter selects the rules of one account for LoadFilteredPolicy: the p
// rules whose domain (v1) and the g rules whose domain (v2) is Domain.
type Filter struct {
	Domain string
}

var (
	_ persist.Adapter                = (*Adapter)(nil)
	_ persist.FilteredAdapter        = (*Adapter)(nil)
	_ persist.ContextAdapter         = (*Adapter)(nil)
	_ persist.ContextFilteredAdapter = (*Adapter)(nil)
)

// ErrNoAutoSave is the answer of the adapter's single-rule writes: rules
// are written by Service (SetGrants, AddRule…) in the caller's
// transaction, never by an enforcer's auto-save.
var ErrNoAutoSave = errors.New("rbac: adapter does not auto-save; write rules through Service")

// AddPolicy refuses with ErrNoAutoSave.
func (a *Adapter) AddPolicy(string, string, []string) error { return ErrNoAutoSave }

// AddPolicyCtx refuses with ErrNoAutoSave.
func (a *Adapter) AddPolicyCtx(context.Context, string, string, []string) error {
	return ErrNoAutoSave
}

// RemovePolicy refuses with ErrNoAutoSave.
func (a *Adapter) RemovePolicy(string, string, []string) error { return ErrNoAutoSave }

// RemovePolicyCtx refuses with ErrNoAutoSave.
func (a *Adapter) RemovePolicyCtx(context.Context, string, string, []string) error {
	return ErrNoAutoSave
}

// RemoveFilteredPolicy refuses with ErrNoAutoSave.
func (a *Adapter) RemoveFilteredPolicy(string, string, int, ...string) error { return ErrNoAutoSave }

// RemoveFilteredPolicyCtx refuses with ErrNoAutoSave.
func (a *Adapter) RemoveFilteredPolicyCtx(context.Context, string, string, int, ...string) error {
	return ErrNoAutoSave
}

// NewAdapter returns an adapter on d's casbin_rule table.
func NewAdapter(d *db.DB) *Adapter { return &Adapter{d: d} }

// LoadPolicy loads every rule.
func (a *Adapter) LoadPolicy(m model.Model) error {
	return a.LoadPolicyCtx(context.Background(), m)
}

// LoadPolicyCtx loads every rule.
func (a *Adapter) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	var rows []ruleRow
	if err := a.d.SelectContext(ctx, &rows, `SELECT `+ruleColumns+` FROM casbin_rule ORDER BY id`); err != nil {
		return fmt.Errorf("rbac: load policy: %w", err)
	}
	a.filtered.Store(false)
	return loadRows(rows, m)
}

// LoadFilteredPolicy loads the rules of one account; filter is a Filter or
// a *Filter.
func (a *Adapter) LoadFilteredPolicy(m model.Model, filter any) error {
	return a.LoadFilteredPolicyCtx(context.Background(), m, filter)
}

// LoadFilteredPolicyCtx loads the rules of one account; filter is a Filter
// or a *Filter.
func (a *Adapter) LoadFilteredPolicyCtx(ctx context.Context, m model.Model, filter any) error {
	var f Filter
	switch v := filter.(type) {
	case Filter:
		f = v
	case *Filter:
		if v == nil {
			return a.LoadPolicyCtx(ctx, m)
		}
		f = *v
	case nil:
		return a.LoadPolicyCtx(ctx, m)
	default:
		return fmt.Errorf("rbac: load filtered policy: filter is %T, want rbac.Filter", filter)
	}
	rows, err := selectAccountRules(ctx, a.d, f.Domain)
	if err != nil {
		return fmt.Errorf("rbac: load policy of %s: %w", f.Domain, err)
	}
	a.filtered.Store(true)
	return loadRows(rows, m)
}

// IsFiltered reports whether the last load was filtered.
func (a *Adapter) IsFiltered() bool { return a.filtered.Load() }

// IsFilteredCtx reports whether the last load was filtered.
func (a *Adapter) IsFilteredCtx(context.Context) bool { return a.filtered.Load() }

// loadRows adds rows to m, each cut to the number of fields its ptype
// declares (stored rules are padded with "" to six fields). Repeated
// values (the account, rights, members) share one string: a cached
// account's rules then hold each distinct value once.
func loadRows(rows []ruleRow, m model.Model) error {
	intern := make(map[string]string, 16)
	for _, r := range rows {
		if r.PType == "" {
			continue
		}
		ast, err := m.GetAssertion(r.PType[:1], r.PType)
		if err != nil {
			return fmt.Errorf("rbac: rule %d: %w", r.ID, err)
		}
		n := len(ast.Tokens)
		if n > maxFields {
			return fmt.Errorf("rbac: ptype %s has %d fields, at most %d are stored", r.PType, n, maxFields)
		}
		v := r.values()
		line := make([]string, n+1)
		line[0] = r.PType
		for i, s := range v[:n] {
			if is, ok := intern[s]; ok {
				s = is
			} else {
				intern[s] = s
			}
			line[i+1] = s
		}
		if err := persist.LoadPolicyArray(line, m); err != nil {
			return fmt.Errorf("rbac: rule %d: %w", r.ID, err)
		}
	}
	return nil
}

// SavePolicy replaces every stored rule with the rules of m. It refuses
// after a filtered load, which would lose the other accounts' rules.
func (a *Adapter) SavePolicy(m model.Model) error {
	return a.SavePolicyCtx(context.Background(), m)
}

// SavePolicyCtx replaces every stored rule with the rules of m.
func (a *Adapter) SavePolicyCtx(ctx context.Context, m model.Model) error {
	if a.filtered.Load() {
		return errors.New("rbac: save policy: refused after a filtered load")
	}
	return a.d.InTx(ctx, func(ctx context.Context) error {
		if _, err := a.d.ExecContext(ctx, `DELETE FROM casbin_rule`); err != nil {
			return fmt.Errorf("rbac: save policy: %w", err)
		}
		for _, sec := range []string{"p", "g"} {
			for ptype, ast := range m[sec] {
				// Stay under SQLite's limit on bound variables.
				for rules := ast.Policy; len(rules) > 0; {
					n := min(len(rules), 500)
					if _, err := insertRules(ctx, a.d, ptype, rules[:n]); err != nil {
						return fmt.Errorf("rbac: save policy: %w", err)
					}
					rules = rules[n:]
				}
			}
		}
		return nil
	})
}

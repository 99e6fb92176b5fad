package rbac

import (
	"context"
	"fmt"

	"github.com/sesame-idp/sesame/db"
)

// The write half of Adapter (Casbin's auto-save). Service does not use it
// (it writes in the caller's transaction); it is here for Casbin tools that
// drive a full enforcer on the table.

// AddPolicy stores one rule.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	return a.AddPolicyCtx(context.Background(), sec, ptype, rule)
}

// AddPolicyCtx stores one rule; an existing identical rule is kept.
func (a *Adapter) AddPolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	if _, err := insertRules(ctx, a.d, ptype, [][]string{rule}); err != nil {
		return fmt.Errorf("rbac: add %s rule: %w", ptype, err)
	}
	return nil
}

// AddPolicies stores rules in one transaction.
func (a *Adapter) AddPolicies(sec, ptype string, rules [][]string) error {
	return a.AddPoliciesCtx(context.Background(), sec, ptype, rules)
}

// AddPoliciesCtx stores rules in one transaction.
func (a *Adapter) AddPoliciesCtx(ctx context.Context, sec, ptype string, rules [][]string) error {
	return a.d.InTx(ctx, func(ctx context.Context) error {
		for len(rules) > 0 {
			n := min(len(rules), 500)
			if _, err := insertRules(ctx, a.d, ptype, rules[:n]); err != nil {
				return fmt.Errorf("rbac: add %s rules: %w", ptype, err)
			}
			rules = rules[n:]
		}
		return nil
	})
}

// RemovePolicy deletes one rule.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	return a.RemovePolicyCtx(context.Background(), sec, ptype, rule)
}

// RemovePolicyCtx deletes one rule.
func (a *Adapter) RemovePolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	if _, err := deleteRule(ctx, a.d, ptype, rule); err != nil {
		return fmt.Errorf("rbac: remove %s rule: %w", ptype, err)
	}
	return nil
}

// RemovePolicies deletes rules in one transaction.
func (a *Adapter) RemovePolicies(sec, ptype string, rules [][]string) error {
	return a.RemovePoliciesCtx(context.Background(), sec, ptype, rules)
}

// RemovePoliciesCtx deletes rules in one transaction.
func (a *Adapter) RemovePoliciesCtx(ctx context.Context, sec, ptype string, rules [][]string) error {
	return a.d.InTx(ctx, func(ctx context.Context) error {
		for _, rule := range rules {
			if _, err := deleteRule(ctx, a.d, ptype, rule); err != nil {
				return fmt.Errorf("rbac: remove %s rules: %w", ptype, err)
			}
		}
		return nil
	})
}

// RemoveFilteredPolicy deletes the rules whose fields, from fieldIndex on,
// equal the non-empty fieldValues.
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	return a.RemoveFilteredPolicyCtx(context.Background(), sec, ptype, fieldIndex, fieldValues...)
}

// RemoveFilteredPolicyCtx is RemoveFilteredPolicy with a context.
func (a *Adapter) RemoveFilteredPolicyCtx(ctx context.Context, sec, ptype string, fieldIndex int, fieldValues ...string) error {
	where, args, err := filteredWhere(ptype, fieldIndex, fieldValues)
	if err != nil {
		return fmt.Errorf("rbac: remove filtered %s rules: %w", ptype, err)
	}
	if _, err := a.d.ExecContext(ctx, a.d.Rebind(`DELETE FROM casbin_rule WHERE `+where), args...); err != nil {
		return fmt.Errorf("rbac: remove filtered %s rules: %w", ptype, err)
	}
	return nil
}

// UpdatePolicy replaces oldRule with newRule.
func (a *Adapter) UpdatePolicy(sec, ptype string, oldRule, newRule []string) error {
	return a.UpdatePolicyCtx(context.Background(), sec, ptype, oldRule, newRule)
}

// UpdatePolicyCtx replaces oldRule with newRule; a missing oldRule is
// db.ErrNotFound.
func (a *Adapter) UpdatePolicyCtx(ctx context.Context, sec, ptype string, oldRule, newRule []string) error {
	return a.UpdatePoliciesCtx(ctx, sec, ptype, [][]string{oldRule}, [][]string{newRule})
}

// UpdatePolicies replaces oldRules[i] with newRules[i], all or none.
func (a *Adapter) UpdatePolicies(sec, ptype string, oldRules, newRules [][]string) error {
	return a.UpdatePoliciesCtx(context.Background(), sec, ptype, oldRules, newRules)
}

// UpdatePoliciesCtx replaces oldRules[i] with newRules[i], all or none; a
// missing old rule is db.ErrNotFound.
func (a *Adapter) UpdatePoliciesCtx(ctx context.Context, sec, ptype string, oldRules, newRules [][]string) error {
	if len(oldRules) != len(newRules) {
		return fmt.Errorf("rbac: update %s rules: %d old rules for %d new ones", ptype, len(oldRules), len(newRules))
	}
	return a.d.InTx(ctx, func(ctx context.Context) error {
		for i := range oldRules {
			n, err := deleteRule(ctx, a.d, ptype, oldRules[i])
			if err != nil {
				return fmt.Errorf("rbac: update %s rule: %w", ptype, err)
			}
			if n == 0 {
				return fmt.Errorf("rbac: update %s rule %v: %w", ptype, oldRules[i], db.ErrNotFound)
			}
			if _, err := insertRules(ctx, a.d, ptype, newRules[i:i+1]); err != nil {
				return fmt.Errorf("rbac: update %s rule: %w", ptype, err)
			}
		}
		return nil
	})
}

// UpdateFilteredPolicies deletes the rules matching the filter (as in
// RemoveFilteredPolicy), stores newRules, and returns the deleted rules.
func (a *Adapter) UpdateFilteredPolicies(sec, ptype string, newRules [][]string, fieldIndex int, fieldValues ...string) ([][]string, error) {
	return a.UpdateFilteredPoliciesCtx(context.Background(), sec, ptype, newRules, fieldIndex, fieldValues...)
}

// UpdateFilteredPoliciesCtx is UpdateFilteredPolicies with a context.
func (a *Adapter) UpdateFilteredPoliciesCtx(ctx context.Context, sec, ptype string, newRules [][]string, fieldIndex int, fieldValues ...string) ([][]string, error) {
	where, args, err := filteredWhere(ptype, fieldIndex, fieldValues)
	if err != nil {
		return nil, fmt.Errorf("rbac: update filtered %s rules: %w", ptype, err)
	}
	var old [][]string
	err = a.d.InTx(ctx, func(ctx context.Context) error {
		var rows []ruleRow
		if err := a.d.SelectContext(ctx, &rows, a.d.Rebind(`SELECT `+ruleColumns+` FROM casbin_rule WHERE `+where+` ORDER BY id`), args...); err != nil {
			return err
		}
		if _, err := a.d.ExecContext(ctx, a.d.Rebind(`DELETE FROM casbin_rule WHERE `+where), args...); err != nil {
			return err
		}
		if _, err := insertRules(ctx, a.d, ptype, newRules); err != nil {
			return err
		}
		// Return the old rules as wide as the model's (that of the new
		// rules): stored rules are padded, and Casbin matches by width.
		width := 0
		if len(newRules) > 0 {
			width = len(newRules[0])
		}
		for _, r := range rows {
			rule := trimRule(r.values())
			if len(rule) < width {
				v := r.values()
				rule = append([]string(nil), v[:width]...)
			}
			old = append(old, rule)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rbac: update filtered %s rules: %w", ptype, err)
	}
	return old, nil
}

// trimRule drops the trailing empty fields of a stored rule.
func trimRule(v [maxFields]string) []string {
	n := maxFields
	for n > 0 && v[n-1] == "" {
		n--
	}
	return append([]string(nil), v[:n]...)
}

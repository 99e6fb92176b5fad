package rbac

import (
	"context"
	"fmt"
	"strings"

	"github.com/sesame-idp/sesame/db"
)

// maxFields is the number of value columns of casbin_rule (v0..v5).
const maxFields = 6

// ruleRow is one row of casbin_rule.
type ruleRow struct {
	ID    int64  `db:"id"`
	PType string `db:"ptype"`
	V0    string `db:"v0"`
	V1    string `db:"v1"`
	V2    string `db:"v2"`
	V3    string `db:"v3"`
	V4    string `db:"v4"`
	V5    string `db:"v5"`
}

func (r ruleRow) values() [maxFields]string {
	return [maxFields]string{r.V0, r.V1, r.V2, r.V3, r.V4, r.V5}
}

const ruleColumns = `id, ptype, v0, v1, v2, v3, v4, v5`

// accountRulesSQL selects the rules of one account: p rules carry it in v1,
// g rules in v2. Two branches, each served by its own index (the ptype
// literals let SQLite use the partial index).
const accountRulesSQL = `SELECT ` + ruleColumns + ` FROM casbin_rule WHERE ptype = 'p' AND v1 = ?
	UNION ALL SELECT ` + ruleColumns + ` FROM casbin_rule WHERE ptype = 'g' AND v2 = ?
	ORDER BY id`

// selectAccountRules returns every rule of an account, oldest first.
func selectAccountRules(ctx context.Context, d *db.DB, accountID string) ([]ruleRow, error) {
	var rows []ruleRow
	if err := d.SelectContext(ctx, &rows, d.Rebind(accountRulesSQL), accountID, accountID); err != nil {
		return nil, err
	}
	return rows, nil
}

// padRule turns a Casbin rule (without ptype) into the six stored values.
func padRule(rule []string) ([maxFields]string, error) {
	var v [maxFields]string
	if len(rule) > maxFields {
		return v, fmt.Errorf("%w: rule has %d fields, at most %d are stored", ErrInvalidRight, len(rule), maxFields)
	}
	for i, s := range rule {
		if len(s) > 2*maxResourceLen {
			return v, fmt.Errorf("%w: rule field %d longer than %d characters", ErrInvalidRight, i, 2*maxResourceLen)
		}
		v[i] = s
	}
	return v, nil
}

// insertRules stores rules of one ptype in one statement, skipping those
// already present. It returns how many rows it inserted.
func insertRules(ctx context.Context, d *db.DB, ptype string, rules [][]string) (int64, error) {
	if len(rules) == 0 {
		return 0, nil
	}
	var (
		sb   strings.Builder
		args = make([]any, 0, len(rules)*(maxFields+1))
	)
	sb.WriteString(`INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5) VALUES `)
	for i, rule := range rules {
		v, err := padRule(rule)
		if err != nil {
			return 0, err
		}
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
		args = append(args, ptype, v[0], v[1], v[2], v[3], v[4], v[5])
	}
	sb.WriteString(` ON CONFLICT DO NOTHING`)
	res, err := d.ExecContext(ctx, d.Rebind(sb.String()), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// deleteRule removes one rule, matching every stored field exactly.
func deleteRule(ctx context.Context, d *db.DB, ptype string, rule []string) (int64, error) {
	v, err := padRule(rule)
	if err != nil {
		return 0, err
	}
	res, err := d.ExecContext(ctx, d.Rebind(`DELETE FROM casbin_rule
		WHERE ptype = ? AND v0 = ? AND v1 = ? AND v2 = ? AND v3 = ? AND v4 = ? AND v5 = ?`),
		ptype, v[0], v[1], v[2], v[3], v[4], v[5])
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

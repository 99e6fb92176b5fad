package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// tellRuleChange tells Options.RightsChanged whose rights the rule r of
// accountID touches: its subject when a member, the members holding the
// role otherwise (a "g" rule's subject is a member or a role too).
func (s *Service) tellRuleChange(ctx context.Context, accountID string, r Rule) error {
	if s.onEdit == nil {
		return nil
	}
	members, err := s.holders(ctx, accountID, r.Subject)
	if err != nil || len(members) == 0 {
		return err
	}
	return s.onEdit(ctx, accountID, members)
}

// holders returns the members that subject stands for in accountID: the
// member itself, or the members holding the role (through roles too).
func (s *Service) holders(ctx context.Context, accountID, subject string) ([]string, error) {
	if !strings.HasPrefix(subject, rolePrefix) {
		return []string{subject}, nil
	}
	var out []string
	seen := map[string]bool{subject: true}
	for queue := []string{subject}; len(queue) > 0; queue = queue[1:] {
		var subs []string
		err := s.d.SelectContext(ctx, &subs, s.d.Rebind(`SELECT v0 FROM casbin_rule WHERE ptype = 'g' AND v1 = ? AND v2 = ?`), queue[0], accountID)
		if err != nil {
			return nil, fmt.Errorf("rbac: holders of %s: %w", queue[0], err)
		}
		for _, sub := range subs {
			if seen[sub] {
				continue
			}
			seen[sub] = true
			if strings.HasPrefix(sub, rolePrefix) {
				queue = append(queue, sub)
			} else {
				out = append(out, sub)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// ExpiredGrant is a member whose grant (direct or through a role) ended.
type ExpiredGrant struct {
	AccountID string
	MemberID  string
	ExpiredAt time.Time
}

// ExpiredBetween returns the members whose grants ended in (from, to], one
// entry per member and expiry. Run it before PurgeExpired deletes the rows.
func (s *Service) ExpiredBetween(ctx context.Context, from, to time.Time) ([]ExpiredGrant, error) {
	var rows []struct {
		Subject string `db:"v0"`
		Account string `db:"v1"`
		Expiry  string `db:"v4"`
	}
	err := s.d.SelectContext(ctx, &rows, s.d.Rebind(`SELECT DISTINCT v0, v1, v4 FROM casbin_rule
		WHERE ptype = 'p' AND v4 <> '' AND v4 > ? AND v4 <= ? ORDER BY v4, v1, v0`), formatExpiry(&from), formatExpiry(&to))
	if err != nil {
		return nil, fmt.Errorf("rbac: expired grants: %w", err)
	}
	var out []ExpiredGrant
	seen := map[ExpiredGrant]bool{}
	for _, r := range rows {
		at := parseExpiry(r.Expiry)
		if at == nil {
			continue
		}
		members, err := s.holders(ctx, r.Account, r.Subject)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			g := ExpiredGrant{AccountID: r.Account, MemberID: m, ExpiredAt: *at}
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out, nil
}

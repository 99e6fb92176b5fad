package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// Grant is a right given to a login account: "product:action" or
// "product:action:resource", until ExpiresAt (nil: no end). Expiries are
// kept to the second.
type Grant struct {
	Right     string     `json:"right"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// SetOwner makes memberID the owner of accountID, who holds every right of
// the account; a previous owner loses the role. It runs in the caller's
// transaction q, drops the local enforcer and announces the change to the
// other instances (on commit); call Invalidate again after commit.
func (s *Service) SetOwner(ctx context.Context, q db.Queryer, accountID, memberID string) error {
	if err := checkIDs(accountID, memberID); err != nil {
		return fmt.Errorf("rbac: set owner: %w", err)
	}
	_, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM casbin_rule
		WHERE ptype = 'g' AND v2 = ? AND v1 = ? AND v0 <> ?`), accountID, ownerRole, memberID)
	if err == nil {
		_, err = insertRules(ctx, q, "g", [][]string{{memberID, ownerRole, accountID}})
	}
	if err == nil {
		_, err = insertRules(ctx, q, "p", [][]string{{ownerRole, accountID, anyResource, "*", ""}})
	}
	if err == nil {
		err = s.changed(ctx, q, accountID)
	}
	if err != nil {
		return fmt.Errorf("rbac: set owner of %s: %w", accountID, err)
	}
	return nil
}

// SetGrants replaces the rights granted to memberID in accountID with
// grants, in the caller's transaction q. Every grant is validated first
// (ErrUnknownRight, ErrInvalidRight; an expiry in the past is invalid) and
// nothing changes when one is wrong; a right given twice keeps the later
// expiry. Granting no right removes them all. It does not check who grants
// (see Covers). Like SetOwner it invalidates and notifies.
func (s *Service) SetGrants(ctx context.Context, q db.Queryer, accountID, memberID string, grants []Grant) error {
	if err := checkIDs(accountID, memberID); err != nil {
		return fmt.Errorf("rbac: set grants: %w", err)
	}
	rules, err := s.grantRules(accountID, memberID, grants)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, q.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = ? AND v0 = ?`), accountID, memberID)
	if err == nil {
		_, err = insertRules(ctx, q, "p", rules)
	}
	if err == nil {
		err = s.changed(ctx, q, accountID)
	}
	if err != nil {
		return fmt.Errorf("rbac: set grants of %s in %s: %w", memberID, accountID, err)
	}
	return nil
}

// grantRules validates grants and turns them into p rules.
func (s *Service) grantRules(accountID, memberID string, grants []Grant) ([][]string, error) {
	now := s.now()
	expiry := map[string]*time.Time{}
	var order []string
	for _, g := range grants {
		r, err := ParseRight(g.Right)
		if err != nil {
			return nil, err
		}
		if g.ExpiresAt != nil && !g.ExpiresAt.Truncate(time.Second).After(now) {
			return nil, invalidf(ReasonExpiryPast, r.String(), "%w: grant of %s expires in the past (%s)", ErrInvalidRight, r, formatExpiry(g.ExpiresAt))
		}
		key := r.String()
		prev, seen := expiry[key]
		switch {
		case !seen:
			order = append(order, key)
			expiry[key] = g.ExpiresAt
		case prev != nil && (g.ExpiresAt == nil || g.ExpiresAt.After(*prev)):
			expiry[key] = g.ExpiresAt
		}
	}
	rules := make([][]string, 0, len(order))
	for _, key := range order {
		r, _ := ParseRight(key)
		obj := anyResource
		if r.Resource != "" {
			obj = r.Resource
		}
		rules = append(rules, []string{memberID, accountID, obj, r.Key(), formatExpiry(expiry[key])})
	}
	return rules, nil
}

// RemoveMember removes every rule naming memberID in accountID (its grants
// and roles), in the caller's transaction q; it invalidates and notifies.
func (s *Service) RemoveMember(ctx context.Context, q db.Queryer, accountID, memberID string) error {
	if err := checkIDs(accountID, memberID); err != nil {
		return fmt.Errorf("rbac: remove member: %w", err)
	}
	_, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = ? AND v0 = ?`), accountID, memberID)
	if err == nil {
		_, err = q.ExecContext(ctx, q.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'g' AND v2 = ? AND v0 = ?`), accountID, memberID)
	}
	if err == nil {
		err = s.changed(ctx, q, accountID)
	}
	if err != nil {
		return fmt.Errorf("rbac: remove %s from %s: %w", memberID, accountID, err)
	}
	return nil
}

// RemoveAccount removes every rule of accountID, in the caller's
// transaction q (casbin_rule has no foreign key to accounts).
func (s *Service) RemoveAccount(ctx context.Context, q db.Queryer, accountID string) error {
	if err := checkID("account", accountID); err != nil {
		return fmt.Errorf("rbac: remove account: %w", err)
	}
	_, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = ?`), accountID)
	if err == nil {
		_, err = q.ExecContext(ctx, q.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'g' AND v2 = ?`), accountID)
	}
	if err == nil {
		err = s.changed(ctx, q, accountID)
	}
	if err != nil {
		return fmt.Errorf("rbac: remove account %s: %w", accountID, err)
	}
	return nil
}

// Grants returns the rights granted directly to memberID in accountID and
// not expired, in catalog order. Roles are not expanded (see Rights).
func (s *Service) Grants(ctx context.Context, accountID, memberID string) ([]Grant, error) {
	if checkIDs(accountID, memberID) != nil {
		return []Grant{}, nil
	}
	pol, err := s.policy(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := []Grant{}
	for _, r := range pol.rulesOf([]string{memberID}, s.now(), false) {
		if r[pAct] == "*" {
			continue // only admins write such rules; they are not grants
		}
		right := r[pAct]
		if r[pObj] != anyResource {
			right += ":" + r[pObj]
		}
		out = append(out, Grant{Right: right, ExpiresAt: parseExpiry(r[pExp])})
	}
	sortRights(out, func(g Grant) string { return g.Right })
	return out, nil
}

// Rights returns the effective rights of memberID in accountID, as tokens
// carry them: the whole catalog for an owner; otherwise every live grant,
// direct or through a role, as "product:action" or
// "product:action:resource" (a narrowed right is left out when the whole
// right is held). An unknown member gets an empty list.
func (s *Service) Rights(ctx context.Context, accountID, memberID string) ([]string, error) {
	if checkIDs(accountID, memberID) != nil {
		return []string{}, nil
	}
	pol, err := s.policy(ctx, accountID)
	if err != nil {
		return nil, err
	}
	whole := map[string]bool{}
	narrowed := map[string]bool{}
	for _, r := range pol.rulesOf(pol.subjects(memberID), s.now(), false) {
		acts := []string{r[pAct]}
		if r[pAct] == "*" {
			acts = acts[:0]
			for _, c := range catalog {
				acts = append(acts, c.Right)
			}
		}
		for _, act := range acts {
			if _, ok := catalogIndex[act]; !ok {
				continue // a right since removed from the catalog
			}
			if r[pObj] == anyResource {
				whole[act] = true
			} else {
				narrowed[act+":"+r[pObj]] = true
			}
		}
	}
	out := make([]string, 0, len(whole)+len(narrowed))
	for act := range whole {
		out = append(out, act)
	}
	for right := range narrowed {
		act := right[:strings.LastIndexByte(right, ':')]
		if !whole[act] {
			out = append(out, right)
		}
	}
	sortRights(out, func(s string) string { return s })
	return out, nil
}

// sortRights orders rights by catalog position, then resource.
func sortRights[T any](list []T, right func(T) string) {
	slices.SortFunc(list, func(a, b T) int {
		ra, _ := ParseRight(right(a))
		rb, _ := ParseRight(right(b))
		if d := catalogRank(ra.Key()) - catalogRank(rb.Key()); d != 0 {
			return d
		}
		return strings.Compare(ra.Resource, rb.Resource)
	})
}

// PurgeExpired deletes the grants whose expiry has passed and returns how
// many. Expired grants already deny; this only keeps the table small.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.d.ExecContext(ctx, s.d.Rebind(`DELETE FROM casbin_rule
		WHERE ptype = 'p' AND v4 <> '' AND v4 <= ?`), formatExpiry(&now))
	if err != nil {
		return 0, fmt.Errorf("rbac: purge expired grants: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rbac: purge expired grants: %w", err)
	}
	return n, nil
}

func checkIDs(accountID, memberID string) error {
	if err := checkID("account", accountID); err != nil {
		return err
	}
	return checkID("member", memberID)
}

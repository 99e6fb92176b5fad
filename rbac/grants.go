package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sesame-idp/sesame/rights"
)

// Grant is a right given to a login account until an expiry (see
// rights.Grant). Expiries are kept to the second.
type Grant = rights.Grant

// SetOwner makes memberID the owner of accountID, who holds every right of
// the account; a previous owner loses the role. It runs in ctx's transaction
// (or its own), drops the local enforcer and announces the change to the
// other instances; the local enforcer is dropped again once ctx's transaction
// commits.
func (s *Service) SetOwner(ctx context.Context, accountID, memberID string) error {
	if err := checkIDs(accountID, memberID); err != nil {
		return fmt.Errorf("rbac: set owner: %w", err)
	}
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		_, err := s.d.ExecContext(ctx, s.d.Rebind(`DELETE FROM casbin_rule
			WHERE ptype = 'g' AND v2 = ? AND v1 = ? AND v0 <> ?`), accountID, ownerRole, memberID)
		if err == nil {
			_, err = insertRules(ctx, s.d, "g", [][]string{{memberID, ownerRole, accountID}})
		}
		if err == nil {
			_, err = insertRules(ctx, s.d, "p", [][]string{{ownerRole, accountID, anyResource, "*", ""}})
		}
		if err == nil {
			err = s.changed(ctx, accountID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("rbac: set owner of %s: %w", accountID, err)
	}
	return nil
}

// SetGrants replaces the rights granted to memberID in accountID with
// grants, in ctx's transaction (or its own). Every grant is validated first
// (NormalizeGrants: ErrUnknownRight, ErrInvalidRight; an expiry in the past
// is invalid) and nothing changes when one is wrong; a right given twice
// keeps the later expiry. Granting no right removes them all. It does not
// check who grants (see rights.Delegable and EffectiveGrants). Like
// SetOwner it invalidates and notifies.
func (s *Service) SetGrants(ctx context.Context, accountID, memberID string, grants []Grant) error {
	if err := checkIDs(accountID, memberID); err != nil {
		return fmt.Errorf("rbac: set grants: %w", err)
	}
	rules, err := s.grantRules(accountID, memberID, grants)
	if err != nil {
		return err
	}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		_, err := s.d.ExecContext(ctx, s.d.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = ? AND v0 = ?`), accountID, memberID)
		if err == nil {
			_, err = insertRules(ctx, s.d, "p", rules)
		}
		if err == nil {
			err = s.changed(ctx, accountID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("rbac: set grants of %s in %s: %w", memberID, accountID, err)
	}
	return nil
}

// grantRules validates grants and turns them into p rules.
func (s *Service) grantRules(accountID, memberID string, grants []Grant) ([][]string, error) {
	grants, err := NormalizeGrants(grants, s.now())
	if err != nil {
		return nil, err
	}
	rules := make([][]string, 0, len(grants))
	for _, g := range grants {
		r, err := rights.Parse(g.Right)
		if err != nil {
			return nil, refused(err, g.Right)
		}
		obj := anyResource
		if r.Resource != "" {
			obj = r.Resource
		}
		rules = append(rules, []string{memberID, accountID, obj, r.Key(), formatExpiry(g.ExpiresAt)})
	}
	return rules, nil
}

// RemoveMember removes every rule naming memberID in accountID (its grants
// and roles), in ctx's transaction (or its own); it invalidates and notifies.
func (s *Service) RemoveMember(ctx context.Context, accountID, memberID string) error {
	if err := checkIDs(accountID, memberID); err != nil {
		return fmt.Errorf("rbac: remove member: %w", err)
	}
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		_, err := s.d.ExecContext(ctx, s.d.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = ? AND v0 = ?`), accountID, memberID)
		if err == nil {
			_, err = s.d.ExecContext(ctx, s.d.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'g' AND v2 = ? AND v0 = ?`), accountID, memberID)
		}
		if err == nil {
			err = s.changed(ctx, accountID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("rbac: remove %s from %s: %w", memberID, accountID, err)
	}
	return nil
}

// RemoveAccount removes every rule of accountID, in ctx's
// transaction or its own (casbin_rule has no foreign key to accounts).
func (s *Service) RemoveAccount(ctx context.Context, accountID string) error {
	if err := checkID("account", accountID); err != nil {
		return fmt.Errorf("rbac: remove account: %w", err)
	}
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		_, err := s.d.ExecContext(ctx, s.d.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = ?`), accountID)
		if err == nil {
			_, err = s.d.ExecContext(ctx, s.d.Rebind(`DELETE FROM casbin_rule WHERE ptype = 'g' AND v2 = ?`), accountID)
		}
		if err == nil {
			err = s.changed(ctx, accountID)
		}
		return err
	})
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

// EffectiveGrants returns what memberID holds in accountID now, with
// expiries: every live grant, direct or through a role, a rule on every
// right ("*", an owner's) standing for each right of the catalog. A right
// held twice is listed once, with the later expiry; a narrowed right is
// listed even when the whole right is held too, since the two may end at
// different times. An unknown member gets an empty list. It is what
// rights.Delegable needs to check what a member may grant.
func (s *Service) EffectiveGrants(ctx context.Context, accountID, memberID string) ([]Grant, error) {
	if checkIDs(accountID, memberID) != nil {
		return []Grant{}, nil
	}
	pol, err := s.policy(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return s.effectiveGrants(pol, memberID), nil
}

// effectiveGrants is EffectiveGrants on the rules of pol.
func (s *Service) effectiveGrants(pol *accountPolicy, memberID string) []Grant {
	index := map[string]int{}
	out := []Grant{}
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
			g := Grant{Right: act, ExpiresAt: parseExpiry(r[pExp])}
			if r[pObj] != anyResource {
				g.Right += ":" + r[pObj]
			}
			i, seen := index[g.Right]
			switch {
			case !seen:
				index[g.Right] = len(out)
				out = append(out, g)
			case rights.Outlives(g, out[i]):
				out[i].ExpiresAt = g.ExpiresAt
			}
		}
	}
	sortRights(out, func(g Grant) string { return g.Right })
	return out
}

// Rights returns the effective rights of memberID in accountID, as tokens
// carry them: the whole catalog for an owner; otherwise every live grant,
// direct or through a role, as "product:action" or
// "product:action:resource" (a narrowed right is left out when the whole
// right is held). An unknown member gets an empty list.
func (s *Service) Rights(ctx context.Context, accountID, memberID string) ([]string, error) {
	held, err := s.EffectiveGrants(ctx, accountID, memberID)
	if err != nil {
		return nil, err
	}
	return tokenRights(held), nil
}

// FreshRights is Rights read from the database rather than the cache: what
// a memberID holds according to the last committed rules, whatever this
// instance has heard of them yet (events about a change read it).
func (s *Service) FreshRights(ctx context.Context, accountID, memberID string) ([]string, error) {
	if checkIDs(accountID, memberID) != nil {
		return []string{}, nil
	}
	pol, err := s.load(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return tokenRights(s.effectiveGrants(pol, memberID)), nil
}

// tokenRights writes held as tokens carry rights.
func tokenRights(held []Grant) []string {
	parsed := make([]Right, len(held))
	whole := map[string]bool{}
	for i, g := range held {
		parsed[i], _ = rights.Parse(g.Right) // stored rules are valid
		if parsed[i].Resource == "" {
			whole[parsed[i].Key()] = true
		}
	}
	out := make([]string, 0, len(held))
	for _, r := range parsed {
		if r.Product != "" && (r.Resource == "" || !whole[r.Key()]) {
			out = append(out, r.String())
		}
	}
	return out
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

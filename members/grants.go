package members

import (
	"errors"

	"github.com/sesame-idp/sesame/rbac"
)

// checkGrants validates rights against the catalog and checks that a may
// hand out each of them. It returns the grants normalised and without
// duplicates.
func (s *Service) checkGrants(a Actor, grants []rbac.Grant) ([]rbac.Grant, error) {
	seen := map[string]bool{}
	out := make([]rbac.Grant, 0, len(grants))
	for _, g := range grants {
		r, err := rbac.ParseRight(g.Right)
		if err != nil {
			return nil, invalid("rights", err)
		}
		g.Right = r.String()
		if g.ExpiresAt != nil {
			if !g.ExpiresAt.After(s.clock()) {
				return nil, invalid("rights", errors.New("the expiry of "+g.Right+" is in the past"))
			}
			t := g.ExpiresAt.UTC()
			g.ExpiresAt = &t
		}
		if !a.CanGrant(g.Right) {
			return nil, ErrForbidden
		}
		if seen[g.Right] {
			continue
		}
		seen[g.Right] = true
		out = append(out, g)
	}
	return out, nil
}

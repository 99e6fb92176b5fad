package members

import (
	"errors"
	"time"

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

// liveGrants returns the grants still running at now. Expiries are compared
// as rbac keeps them, to the second, with a second's margin so that rbac,
// reading the clock a moment later, does not find one in the past.
func liveGrants(grants []rbac.Grant, now time.Time) []rbac.Grant {
	out := make([]rbac.Grant, 0, len(grants))
	for _, g := range grants {
		if g.ExpiresAt == nil || g.ExpiresAt.Truncate(time.Second).After(now.Add(time.Second)) {
			out = append(out, g)
		}
	}
	return out
}

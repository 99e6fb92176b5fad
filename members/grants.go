package members

import (
	"fmt"

	"github.com/sesame-idp/sesame/rbac"
)

// checkGrants validates grants against the catalog (rbac.NormalizeGrants)
// and checks that a may hand out each of them, resource and expiry
// (Actor.MayGrant). It returns the grants normalised and without
// duplicates.
func (s *Service) checkGrants(a Actor, grants []rbac.Grant) ([]rbac.Grant, error) {
	now := s.clock()
	out, err := rbac.NormalizeGrants(grants, now)
	if err != nil {
		return nil, invalid("rights", err)
	}
	for _, g := range out {
		if !a.MayGrant(g, now) {
			return nil, fmt.Errorf("%w: %s", ErrBeyondOwn, g.Right)
		}
	}
	return out, nil
}

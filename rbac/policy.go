package rbac

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
)

// accountPolicy is the loaded, read-only view of one account's rules.
type accountPolicy struct {
	account string
	// e is nil when the account has no rule at all (every check denies).
	e *casbin.Enforcer
	// members lists, sorted, every member named by a rule. A request for
	// anyone else is denied without running the matcher, which also keeps
	// Casbin's per-enforcer memo of role lookups bounded.
	members []string

	// active remembers Options.Active's answers for members of the
	// account. It lives as long as the policy: a change of status drops
	// the policy (MemberStatusChanged), like a change of rules.
	activeMu sync.Mutex
	active   map[string]bool
}

// rule field positions of the model's p and g.
const (
	pSub, pDom, pObj, pAct, pExp = 0, 1, 2, 3, 4
	gMember, gRole, gDom         = 0, 1, 2
)

func newAccountPolicy(accountID string, e *casbin.Enforcer) *accountPolicy {
	pol := &accountPolicy{account: accountID}
	m := e.GetModel()
	for _, r := range m["p"]["p"].Policy {
		if !strings.HasPrefix(r[pSub], rolePrefix) {
			pol.members = append(pol.members, r[pSub])
		}
	}
	for _, r := range m["g"]["g"].Policy {
		if !strings.HasPrefix(r[gMember], rolePrefix) {
			pol.members = append(pol.members, r[gMember])
		}
	}
	slices.Sort(pol.members)
	pol.members = slices.Clip(slices.Compact(pol.members))
	if len(m["p"]["p"].Policy) > 0 || len(m["g"]["g"].Policy) > 0 {
		pol.e = e
	}
	return pol
}

// known reports whether memberID holds anything in the account.
func (p *accountPolicy) known(memberID string) bool {
	_, ok := slices.BinarySearch(p.members, memberID)
	return ok && p.e != nil
}

// subjects returns memberID and every role it holds in the account,
// directly or through other roles.
func (p *accountPolicy) subjects(memberID string) []string {
	subs := []string{memberID}
	if !p.known(memberID) {
		return subs
	}
	roles, err := p.e.GetImplicitRolesForUser(memberID, p.account)
	if err == nil {
		subs = append(subs, roles...)
	}
	return subs
}

// rulesOf returns the p rules whose subject is one of subs, live at now
// unless withExpired.
func (p *accountPolicy) rulesOf(subs []string, now time.Time, withExpired bool) [][]string {
	if p.e == nil {
		return nil
	}
	var out [][]string
	for _, r := range p.e.GetModel()["p"]["p"].Policy {
		if r[pDom] != p.account || !slices.Contains(subs, r[pSub]) {
			continue
		}
		if withExpired || isLive(r[pExp], now) {
			out = append(out, r)
		}
	}
	return out
}

package rbac

import (
	"context"
	"fmt"
	"strings"

	"github.com/sesame-idp/sesame/rights"
)

// anyResource is the request object of a check that names no resource, and
// the rule object of a grant on every resource.
const anyResource = "*"

// Explanation says why a check was decided as it was.
type Explanation struct {
	Allowed bool `json:"allowed"`
	// Request is what was enforced: member, account, resource ("*" for
	// none), right.
	Request []string `json:"request"`
	// Rule is the rule that allowed the request (p, subject, account,
	// resource, right, expiry), empty when nothing allowed it.
	Rule []string `json:"rule,omitempty"`
	// Reason is a sentence in English, for logs and the API.
	Reason string `json:"reason"`
	// Why names the reason for pages that write it in their own
	// language (one of the Why constants), with the values it names in
	// Facts (Member, Account, Role, Right, Resource, Until, Elsewhere).
	Why   string            `json:"why"`
	Facts map[string]string `json:"facts,omitempty"`
}

// Why of an Explanation.
const (
	WhyBadID       = "bad_id"       // the member or account ID is malformed
	WhyNoRight     = "no_right"     // the member holds no right in the account
	WhyDisabled    = "disabled"     // a rule would allow, but the member is disabled
	WhyGranted     = "granted"      // a rule grants the right to the member
	WhyGrantedRole = "granted_role" // a rule grants the right to a role the member holds
	WhyExpired     = "expired"      // the grant expired
	WhyElsewhere   = "elsewhere"    // the right is held on other resources only
	WhyNothing     = "nothing"      // no rule grants the right
)

// Whys lists every Why, for callers that keep a message for each.
func Whys() []string {
	return []string{WhyBadID, WhyNoRight, WhyDisabled, WhyGranted, WhyGrantedRole, WhyExpired, WhyElsewhere, WhyNothing}
}

// check is a validated request.
type check struct {
	member, account, resource string
	right                     Right
}

// parseCheck validates the inputs of Allowed and Explain, as
// rights.Request reads them: right is "product:action", or a narrowed
// "product:action:resource" when resource is empty or the same. Only the
// catalog entry is checked against the catalog: whether a right can be
// narrowed matters when it is granted, not when it is checked.
func parseCheck(memberID, accountID, right, resource string) (check, error) {
	r, err := rights.Request(right, resource)
	if err != nil {
		return check{}, refused(err, right)
	}
	if err := checkCatalog(r.Whole()); err != nil {
		return check{}, err
	}
	c := check{member: memberID, account: accountID, resource: anyResource, right: r}
	if r.Resource != "" {
		c.resource = r.Resource
	}
	return c, nil
}

func (c check) request() []string {
	return []string{c.member, c.account, c.resource, c.right.Key()}
}

// Allowed is the live check: may memberID exercise right (product:action)
// in accountID, on resource when one is given? A grant of the whole right
// allows every resource; a narrowed grant allows its resource only (not a
// check without resource). Owners hold every right of their account and
// none elsewhere; expired grants deny at once; anything not granted is
// denied. An unknown or malformed right or resource is an error
// (ErrUnknownRight, ErrInvalidRight); an unknown member or account is
// simply denied.
func (s *Service) Allowed(ctx context.Context, memberID, accountID, right, resource string) (bool, error) {
	c, err := parseCheck(memberID, accountID, right, resource)
	if err != nil {
		return false, err
	}
	if checkID("member", memberID) != nil || checkID("account", accountID) != nil {
		return false, nil
	}
	pol, err := s.policy(ctx, accountID)
	if err != nil {
		return false, err
	}
	if !pol.known(memberID) {
		return false, nil
	}
	ok, err := pol.e.Enforce(c.member, c.account, c.resource, c.right.Key())
	if err != nil {
		return false, fmt.Errorf("rbac: check %s in %s: %w", c.right, accountID, err)
	}
	if ok {
		return s.isActive(ctx, pol, memberID)
	}
	return false, nil
}

// isActive asks Options.Active whether memberID may use its grants now,
// once per policy loaded: a change of status drops the policy (see
// MemberStatusChanged).
func (s *Service) isActive(ctx context.Context, pol *accountPolicy, memberID string) (bool, error) {
	if s.active == nil {
		return true, nil
	}
	pol.activeMu.Lock()
	ok, known := pol.active[memberID]
	pol.activeMu.Unlock()
	if known {
		return ok, nil
	}
	ok, err := s.active(ctx, memberID)
	if err != nil {
		return false, fmt.Errorf("rbac: status of %s: %w", memberID, err)
	}
	pol.activeMu.Lock()
	if pol.active == nil {
		pol.active = map[string]bool{}
	}
	pol.active[memberID] = ok
	pol.activeMu.Unlock()
	return ok, nil
}

// MemberStatusChanged tells the service that memberID of accountID was
// enabled, disabled or deleted, in the transaction ctx carries: the
// account's policy, which remembers who is active, is dropped on every
// instance once it commits.
func (s *Service) MemberStatusChanged(ctx context.Context, accountID, memberID string) error {
	if err := s.changed(ctx, accountID); err != nil {
		return fmt.Errorf("rbac: status of %s changed: %w", memberID, err)
	}
	return nil
}

// Explain decides like Allowed and says why: the rule that allowed the
// request (Casbin's EnforceEx), or the nearest reason for a denial (not a
// member, an expired grant, a grant on another resource, nothing granted).
func (s *Service) Explain(ctx context.Context, memberID, accountID, right, resource string) (Explanation, error) {
	c, err := parseCheck(memberID, accountID, right, resource)
	if err != nil {
		return Explanation{}, err
	}
	x := Explanation{Request: c.request(), Facts: map[string]string{"Member": memberID, "Account": accountID, "Right": c.right.Key()}}
	if err := checkID("member", memberID); err != nil {
		x.Reason, x.Why = err.Error(), WhyBadID
		return x, nil
	}
	if err := checkID("account", accountID); err != nil {
		x.Reason, x.Why = err.Error(), WhyBadID
		return x, nil
	}
	pol, err := s.policy(ctx, accountID)
	if err != nil {
		return Explanation{}, err
	}
	if !pol.known(memberID) {
		x.Reason = fmt.Sprintf("%s holds no right in account %s (deny by default)", memberID, accountID)
		x.Why = WhyNoRight
		return x, nil
	}
	ok, rule, err := pol.e.EnforceEx(c.member, c.account, c.resource, c.right.Key())
	if err != nil {
		return Explanation{}, fmt.Errorf("rbac: explain %s in %s: %w", c.right, accountID, err)
	}
	if ok {
		x.Rule = append([]string{"p"}, rule...)
		active, err := s.isActive(ctx, pol, memberID)
		if err != nil {
			return Explanation{}, err
		}
		if !active {
			x.Reason = fmt.Sprintf("%s is disabled: its grants do not count until it is enabled again (the rule shown would allow)", memberID)
			x.Why = WhyDisabled
			return x, nil
		}
		x.Allowed = true
		x.Reason, x.Why = allowReason(memberID, c, rule, x.Facts)
		return x, nil
	}
	x.Reason, x.Why = s.denyReason(pol, c, x.Facts)
	return x, nil
}

// allowReason says which rule allowed c, in English and as a Why with
// its facts.
func allowReason(memberID string, c check, rule []string, facts map[string]string) (string, string) {
	var who string
	why := WhyGranted
	if rule[pSub] == memberID {
		who = memberID + " is granted"
	} else {
		why = WhyGrantedRole
		facts["Role"] = strings.TrimPrefix(rule[pSub], rolePrefix)
		who = fmt.Sprintf("%s holds role %s, which is granted", memberID, facts["Role"])
	}
	facts["Right"], facts["Resource"], facts["Until"] = rule[pAct], rule[pObj], rule[pExp]
	what := rule[pAct]
	if what == "*" {
		what = "every right"
	}
	where := "on every resource"
	if rule[pObj] != anyResource {
		where = "on " + rule[pObj]
	}
	until := ""
	if rule[pExp] != "" {
		until = " until " + rule[pExp]
	}
	return fmt.Sprintf("%s %s %s of account %s%s", who, what, where, c.account, until), why
}

// denyReason looks for the rule that came closest to allowing c.
func (s *Service) denyReason(pol *accountPolicy, c check, facts map[string]string) (string, string) {
	act := c.right.Key()
	var elsewhere []string
	for _, r := range pol.rulesOf(pol.subjects(c.member), s.now(), true) {
		if r[pAct] != act && r[pAct] != "*" {
			continue
		}
		if r[pObj] == anyResource || r[pObj] == c.resource {
			if !isLive(r[pExp], s.now()) {
				facts["Until"] = r[pExp]
				return fmt.Sprintf("the grant of %s to %s expired at %s", act, r[pSub], r[pExp]), WhyExpired
			}
			continue
		}
		elsewhere = append(elsewhere, r[pObj])
	}
	if len(elsewhere) > 0 {
		on := "without a resource"
		if c.resource != anyResource {
			on = "on " + c.resource
		}
		facts["Elsewhere"], facts["Resource"] = strings.Join(elsewhere, ", "), c.resource
		return fmt.Sprintf("%s holds %s only on %s, not %s", c.member, act, facts["Elsewhere"], on), WhyElsewhere
	}
	return fmt.Sprintf("no rule grants %s to %s in account %s (deny by default)", act, c.member, c.account), WhyNothing
}

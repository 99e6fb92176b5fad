package members

import (
	"context"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/rights"
)

// RightManage is the right that lets a login account manage the others.
const RightManage = "members:manage"

// Actor is who performs an operation: a member of an account (the owner or
// a login account), or the operator through the CLI.
type Actor struct {
	MemberID  string
	Email     string
	AccountID string
	IP        string
	Owner     bool
	Rights    []string // held in AccountID now, as tokens carry them
	// Held is what the member holds in AccountID, directly or through a
	// role, with expiries (rbac.Service.EffectiveGrants): the bound of
	// what it may grant.
	Held     []rbac.Grant
	Operator bool // the platform operator (CLI): acts as the owner
}

// Operator is the actor of CLI commands.
func Operator() Actor { return Actor{Operator: true, Email: OperatorEmail} }

// OperatorEmail stands for the operator where an email names who acted
// (the audit trail, an invitation's sender); pages write it in their own
// words.
const OperatorEmail = "operator (CLI)"

// ActorFor loads the member and its current rights.
func (s *Service) ActorFor(ctx context.Context, memberID, ip string) (Actor, error) {
	m, err := s.accounts.Member(ctx, memberID)
	if err != nil {
		return Actor{}, fmt.Errorf("members: actor %s: %w", memberID, err)
	}
	if m.Status != account.StatusActive {
		return Actor{}, ErrForbidden
	}
	held, err := s.rights.EffectiveGrants(ctx, m.AccountID, m.ID)
	if err != nil {
		return Actor{}, err
	}
	rs, err := s.rights.Rights(ctx, m.AccountID, m.ID)
	if err != nil {
		return Actor{}, err
	}
	return Actor{MemberID: m.ID, Email: m.Email, AccountID: m.AccountID, IP: ip, Owner: m.Role == account.RoleOwner, Rights: rs, Held: held}, nil
}

// CanManage reports whether a may manage the login accounts of accountID.
func (a Actor) CanManage(accountID string) bool {
	if a.Operator {
		return true
	}
	return a.AccountID == accountID && (a.Owner || rights.Allows(a.Rights, RightManage, ""))
}

// CanGrant reports whether a may hand out right at all: the owner any, a
// delegated manager only what it holds itself (on the same resource or on
// every resource). The expiry of the grant is checked by MayGrant.
func (a Actor) CanGrant(right string) bool {
	return a.Operator || a.Owner || rights.Allows(a.Rights, right, "")
}

// MayGrant reports whether a may give g at now: the owner (who holds
// everything without end) any grant, a delegated manager only a grant that
// one of its own live grants covers and that ends no later than it
// (rights.Delegable).
func (a Actor) MayGrant(g rbac.Grant, now time.Time) bool {
	return a.Operator || a.Owner || rights.Delegable(a.Held, g, now)
}

func (s *Service) authorize(a Actor, accountID string) error {
	if !a.CanManage(accountID) {
		return ErrForbidden
	}
	return nil
}

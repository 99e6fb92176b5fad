package members

import (
	"context"
	"fmt"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/rbac"
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
	Rights    []string // held in AccountID now
	Operator  bool     // the platform operator (CLI): acts as the owner
}

// Operator is the actor of CLI commands.
func Operator() Actor { return Actor{Operator: true, Email: "operator (CLI)"} }

// ActorFor loads the member and its current rights.
func (s *Service) ActorFor(ctx context.Context, memberID, ip string) (Actor, error) {
	m, err := s.accounts.Member(ctx, memberID)
	if err != nil {
		return Actor{}, fmt.Errorf("members: actor %s: %w", memberID, err)
	}
	if m.Status != account.StatusActive {
		return Actor{}, ErrForbidden
	}
	rights, err := s.rights.Rights(ctx, m.AccountID, m.ID)
	if err != nil {
		return Actor{}, err
	}
	return Actor{MemberID: m.ID, Email: m.Email, AccountID: m.AccountID, IP: ip, Owner: m.Role == account.RoleOwner, Rights: rights}, nil
}

// CanManage reports whether a may manage the login accounts of accountID.
func (a Actor) CanManage(accountID string) bool {
	if a.Operator {
		return true
	}
	return a.AccountID == accountID && (a.Owner || rbac.Covers(a.Rights, RightManage))
}

// CanGrant reports whether a may hand out right: the owner any, a delegated
// manager only what it holds itself.
func (a Actor) CanGrant(right string) bool {
	return a.Operator || a.Owner || rbac.Covers(a.Rights, right)
}

func (s *Service) authorize(a Actor, accountID string) error {
	if !a.CanManage(accountID) {
		return ErrForbidden
	}
	return nil
}

package members

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/rbac"
)

// LoginAccount is a member of the account with its grants.
type LoginAccount struct {
	account.Member
	Grants []rbac.Grant `json:"rights"`
}

// List returns the account's members (owner first) with their grants.
func (s *Service) List(ctx context.Context, a Actor, accountID string) ([]LoginAccount, error) {
	if err := s.authorize(a, accountID); err != nil {
		return nil, err
	}
	ms, err := s.accounts.Members(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("members: list %s: %w", accountID, err)
	}
	out := make([]LoginAccount, 0, len(ms))
	for _, m := range ms {
		la := LoginAccount{Member: m}
		if m.Role != account.RoleOwner {
			if la.Grants, err = s.rights.Grants(ctx, accountID, m.ID); err != nil {
				return nil, err
			}
		}
		out = append(out, la)
	}
	return out, nil
}

// Get returns one member of the account with its grants.
func (s *Service) Get(ctx context.Context, a Actor, accountID, memberID string) (LoginAccount, error) {
	if err := s.authorize(a, accountID); err != nil {
		return LoginAccount{}, err
	}
	m, err := s.member(ctx, accountID, memberID)
	if err != nil {
		return LoginAccount{}, err
	}
	la := LoginAccount{Member: m}
	if m.Role != account.RoleOwner {
		la.Grants, err = s.rights.Grants(ctx, accountID, m.ID)
	}
	return la, err
}

func (s *Service) member(ctx context.Context, accountID, memberID string) (account.Member, error) {
	m, err := s.accounts.Member(ctx, memberID)
	if err != nil {
		return account.Member{}, translate(err)
	}
	if m.AccountID != accountID {
		return account.Member{}, ErrNotFound
	}
	return m, nil
}

// target loads a login account a may change: never the owner, never
// itself, and — for a delegated manager — never someone holding a right
// the manager does not hold.
func (s *Service) target(ctx context.Context, a Actor, accountID, memberID string) (account.Member, error) {
	if err := s.authorize(a, accountID); err != nil {
		return account.Member{}, err
	}
	m, err := s.member(ctx, accountID, memberID)
	if err != nil {
		return account.Member{}, err
	}
	if m.Role == account.RoleOwner {
		return account.Member{}, ErrOwnerUntouchable
	}
	if m.ID == a.MemberID {
		return account.Member{}, ErrNotYours
	}
	if !a.Owner && !a.Operator {
		grants, err := s.rights.Grants(ctx, accountID, m.ID)
		if err != nil {
			return account.Member{}, err
		}
		for _, g := range grants {
			if !a.CanGrant(g.Right) {
				return account.Member{}, fmt.Errorf("%w: %s", ErrHoldsMore, g.Right)
			}
		}
	}
	return m, nil
}

// SetGrants replaces the rights of a login account. The check API denies a
// removed right on the very next call; tokens carry the change at their
// next refresh. The pending invitations the member sent and could no
// longer send (it lost members:manage, or a right they grant) are revoked
// in the same transaction.
func (s *Service) SetGrants(ctx context.Context, a Actor, accountID, memberID string, grants []rbac.Grant) error {
	m, err := s.target(ctx, a, accountID, memberID)
	if err != nil {
		return err
	}
	if grants, err = s.checkGrants(a, grants); err != nil {
		return err
	}
	detail, _ := json.Marshal(grants)
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.rights.SetGrants(ctx, accountID, m.ID, grants); err != nil {
			return err
		}
		if s.events != nil {
			if err := s.events.RightsChanged(ctx, accountID, m.ID); err != nil {
				return err
			}
		}
		// What the member holds now, roles included, bounds the
		// invitations it sent that may still be accepted.
		held, err := s.rights.EffectiveGrants(ctx, accountID, m.ID)
		if err != nil {
			return err
		}
		if err := s.revokeInvitationsOf(ctx, a, accountID, m.ID, held); err != nil {
			return err
		}
		return s.trail.Record(ctx, audit.Event{AccountID: accountID, ActorID: a.MemberID, ActorEmail: a.Email,
			Action: audit.RightsChanged, Target: m.Email, Detail: string(detail), IP: a.IP})
	})
	if err != nil {
		// EffectiveGrants above may have cached the rolled-back rules.
		s.rights.Invalidate(accountID)
		return fmt.Errorf("members: set rights of %s: %w", memberID, err)
	}
	return nil
}

// SetDisabled disables or re-enables a login account. Disabling ends its
// browser sessions, revokes its tokens and the invitations it sent in the
// same transaction, so a crash can never leave a disabled person with live
// tokens.
func (s *Service) SetDisabled(ctx context.Context, a Actor, accountID, memberID string, disabled bool) error {
	m, err := s.target(ctx, a, accountID, memberID)
	if err != nil {
		return err
	}
	status, action := account.StatusActive, audit.MemberEnabled
	if disabled {
		status, action = account.StatusDisabled, audit.MemberDisabled
	}
	if m.Status == status {
		return nil
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if disabled {
			if err := s.signOutEverywhere(ctx, m.ID); err != nil {
				return err
			}
		}
		if err := s.accounts.SetMemberStatus(ctx, m.ID, status); err != nil {
			return err
		}
		if disabled {
			if err := s.accounts.DeleteMemberSessions(ctx, m.ID); err != nil {
				return err
			}
			if err := s.revokeTokens(ctx, m.ID); err != nil {
				return err
			}
			if err := s.revokeInvitationsOf(ctx, a, accountID, m.ID, nil); err != nil {
				return err
			}
		}
		return s.trail.Record(ctx, audit.Event{AccountID: accountID, ActorID: a.MemberID, ActorEmail: a.Email,
			Action: action, Target: m.Email, IP: a.IP})
	})
	if err != nil {
		return fmt.Errorf("members: set status of %s: %w", memberID, err)
	}
	return nil
}

// Delete removes a login account: its rights, sessions, tokens and pending
// invitations go with it.
func (s *Service) Delete(ctx context.Context, a Actor, accountID, memberID string) error {
	m, err := s.target(ctx, a, accountID, memberID)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.signOutEverywhere(ctx, m.ID); err != nil {
			return err
		}
		// Tokens first: once the member row is gone nothing else names them.
		if err := s.revokeTokens(ctx, m.ID); err != nil {
			return err
		}
		if err := s.revokeInvitationsOf(ctx, a, accountID, m.ID, nil); err != nil {
			return err
		}
		if err := s.rights.RemoveMember(ctx, accountID, m.ID); err != nil {
			return err
		}
		if err := s.accounts.DeleteMember(ctx, m.ID); err != nil {
			return err
		}
		return s.trail.Record(ctx, audit.Event{AccountID: accountID, ActorID: a.MemberID, ActorEmail: a.Email,
			Action: audit.MemberDeleted, Target: m.Email, IP: a.IP})
	})
	if err != nil {
		return fmt.Errorf("members: delete %s: %w", memberID, err)
	}
	return nil
}

// signOutEverywhere tells the products memberID is signed into that all
// its sessions end; call it before they and its tokens are deleted.
func (s *Service) signOutEverywhere(ctx context.Context, memberID string) error {
	if s.events == nil {
		return nil
	}
	// No session may record a new client between the read of the clients
	// and the end of the sessions, later in this transaction.
	if err := s.accounts.LockMemberSessions(ctx, memberID); err != nil {
		return err
	}
	if err := s.events.SignedOutEverywhere(ctx, memberID); err != nil {
		return fmt.Errorf("members: sign %s out of the products: %w", memberID, err)
	}
	return nil
}

func (s *Service) revokeTokens(ctx context.Context, memberID string) error {
	if err := s.tokens.RevokeSubject(ctx, memberID); err != nil {
		return fmt.Errorf("members: revoke tokens of %s: %w", memberID, err)
	}
	return nil
}

// Audit returns the account's trail, newest first.
func (s *Service) Audit(ctx context.Context, a Actor, accountID string, limit int) ([]audit.Event, error) {
	if err := s.authorize(a, accountID); err != nil {
		return nil, err
	}
	return s.trail.List(ctx, accountID, limit)
}

// AuditQuery returns the events of accountID that f selects (its
// AccountID is set to accountID), and whether more follow, for a's
// activity log.
func (s *Service) AuditQuery(ctx context.Context, a Actor, accountID string, f audit.Filter) ([]audit.Event, bool, error) {
	if err := s.authorize(a, accountID); err != nil {
		return nil, false, err
	}
	f.AccountID = accountID
	return s.trail.Query(ctx, f)
}

// AuditActors lists who acted in accountID, for the activity log's filter.
func (s *Service) AuditActors(ctx context.Context, a Actor, accountID string) ([]string, error) {
	if err := s.authorize(a, accountID); err != nil {
		return nil, err
	}
	return s.trail.Actors(ctx, accountID)
}

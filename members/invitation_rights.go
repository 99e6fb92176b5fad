package members

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/rbac"
)

// SetInvitationGrants replaces the rights a pending invitation gives,
// before the invited person accepts it: a changes them as it could have
// given them (the same checks as Invite), and the link stays the same.
// An invitation no longer pending is ErrLinkInvalid.
func (s *Service) SetInvitationGrants(ctx context.Context, a Actor, accountID, id string, grants []rbac.Grant) error {
	if err := s.authorize(a, accountID); err != nil {
		return err
	}
	grants, err := s.checkGrants(a, grants)
	if err != nil {
		return err
	}
	rights, err := json.Marshal(grants)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.getInvitation(ctx, accountID, id)
		if err != nil {
			return err
		}
		if err := s.checkResendable(a, inv); err != nil {
			return err
		}
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE invitations SET rights = ? WHERE id = ? AND status = 'pending'`), string(rights), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLinkInvalid
		}
		return s.trail.Record(ctx, audit.Event{AccountID: accountID, ActorID: a.MemberID, ActorEmail: a.Email,
			Action: audit.RightsChanged, Target: inv.Email, Detail: string(rights), IP: a.IP})
	})
	if err != nil {
		return fmt.Errorf("members: rights of invitation %s: %w", id, err)
	}
	return nil
}

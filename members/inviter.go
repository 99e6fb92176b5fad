package members

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/rights"
)

// checkInviter reports ErrLinkInvalid when the sender of inv could no
// longer send it: an invitation carries its sender's rights, and dies when
// the sender is deleted, disabled, no longer manages the account, or no
// longer holds (for long enough) a right the invitation grants. An
// invitation of the operator (no sender) stands.
func (s *Service) checkInviter(ctx context.Context, inv Invitation) error {
	if inv.InvitedBy == "" {
		return nil
	}
	a, err := s.ActorFor(ctx, inv.InvitedBy, "")
	switch {
	case errors.Is(err, account.ErrNotFound), errors.Is(err, ErrForbidden):
		return ErrLinkInvalid
	case err != nil:
		return err
	}
	if !a.CanManage(inv.AccountID) || !a.mayGrantAll(inv.Grants, s.clock()) {
		return ErrLinkInvalid
	}
	return nil
}

// mayGrantAll reports whether a may give every grant of gs still live at
// now (a lapsed grant is dropped at acceptance anyway).
func (a Actor) mayGrantAll(gs []rbac.Grant, now time.Time) bool {
	for _, g := range rights.Live(gs, now) {
		if !a.MayGrant(g, now) {
			return false
		}
	}
	return true
}

// revokeInvitationsOf revokes, in ctx's transaction, the pending
// invitations sent by memberID that it may no longer send: all of them
// when held is nil (the sender is deleted or disabled), otherwise those
// that held (its effective grants after a change) no longer covers, or
// all when it no longer holds members:manage. Each revocation is audited
// as done by a.
func (s *Service) revokeInvitationsOf(ctx context.Context, a Actor, accountID, memberID string, held []rbac.Grant) error {
	var pending []Invitation
	err := s.db.SelectContext(ctx, &pending, s.db.Rebind(`SELECT `+invitationColumns+` FROM invitations
		WHERE account_id = ? AND invited_by = ? AND status = 'pending'`), accountID, memberID)
	if err != nil {
		return fmt.Errorf("members: invitations sent by %s: %w", memberID, err)
	}
	now := s.clock()
	sender := Actor{MemberID: memberID, AccountID: accountID, Held: held}
	manages := held != nil && rights.Delegable(held, rbac.Grant{Right: RightManage, ExpiresAt: &now}, now)
	for _, inv := range pending {
		if err := s.finish(&inv); err != nil {
			return err
		}
		if manages && sender.mayGrantAll(inv.Grants, now) {
			continue
		}
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE invitations SET status = 'revoked', revoked_at = ?
			WHERE id = ? AND status = 'pending'`), now, inv.ID); err != nil {
			return err
		}
		if err := s.trail.Record(ctx, audit.Event{AccountID: accountID, ActorID: a.MemberID, ActorEmail: a.Email,
			Action: audit.InvitationRevoked, Target: inv.Email, Detail: "sender_lost_rights", IP: a.IP}); err != nil {
			return err
		}
	}
	return nil
}

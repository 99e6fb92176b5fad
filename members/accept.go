package members

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/rights"
)

// Pending returns the live invitation behind a link token, for the
// set-password page; ErrLinkInvalid when the link is unknown, used,
// revoked or expired, or when its sender could no longer send it (see
// checkInviter).
func (s *Service) Pending(ctx context.Context, token string) (Invitation, error) {
	if token == "" || len(token) > 128 {
		return Invitation{}, ErrLinkInvalid
	}
	var inv Invitation
	err := s.db.GetContext(ctx, &inv, s.db.Rebind(`SELECT `+invitationColumns+` FROM invitations WHERE token_hash = ?`), hashToken(token))
	if err != nil {
		if errors.Is(db.Translate(err), db.ErrNotFound) {
			return Invitation{}, ErrLinkInvalid
		}
		return Invitation{}, err
	}
	if err := s.finish(&inv); err != nil {
		return Invitation{}, err
	}
	if inv.Status == InvitationAccepted {
		return Invitation{}, ErrLinkUsed
	}
	if inv.Status != InvitationPending {
		return Invitation{}, ErrLinkInvalid
	}
	if err := s.checkInviter(ctx, inv); err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// Acceptance is what the invited person types on the set-password page.
type Acceptance struct {
	Token           string
	AccountID       string
	Email           string
	Name            string // optional: how the person wants to be called
	Password        string
	PasswordConfirm string
	IP              string
}

// Accept creates the login account of an invitation: the account ID and
// email typed must match the invitation (ErrMismatch, without saying
// which), the password must follow the policy (*account.PolicyError), and
// the link is used up in the same transaction, so that it works once even
// when submitted twice at the same moment. The sender must still be able
// to send the invitation (ErrLinkInvalid otherwise); deleting, disabling
// or demoting it revokes its pending invitations in the same transaction,
// so that a change racing with the acceptance is seen by one or the other.
func (s *Service) Accept(ctx context.Context, in Acceptance) (account.Member, error) {
	inv, err := s.Pending(ctx, in.Token)
	if err != nil {
		return account.Member{}, err
	}
	id, okID := account.NormalizeAccountID(in.AccountID)
	email, errEmail := account.NormalizeEmail(in.Email)
	if !okID || errEmail != nil || id != inv.AccountID || email != inv.Email {
		return account.Member{}, ErrMismatch
	}
	if fails := account.CheckNewPassword(in.Password, in.PasswordConfirm, inv.Email, in.Name, inv.AccountID); len(fails) > 0 {
		return account.Member{}, &account.PolicyError{Failures: fails}
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return account.Member{}, err
	}
	var m account.Member
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkInviter(ctx, inv); err != nil {
			return err
		}
		now := s.clock()
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE invitations SET status = 'accepted', accepted_at = ?
			WHERE id = ? AND token_hash = ? AND status = 'pending' AND expires_at > ?`), now, inv.ID, hashToken(in.Token), now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLinkInvalid
		}
		m, err = s.accounts.CreateMember(ctx, inv.AccountID, inv.Email, in.Name, account.StatusActive, hash)
		if errors.Is(err, account.ErrAlreadyExists) {
			return ErrAlreadyMember
		} else if err != nil {
			return err
		}
		// A grant whose expiry passed while the invitation waited has
		// lapsed; the rest of the invitation stands. A second's margin
		// keeps rbac, reading the clock a moment later, from finding one
		// in the past.
		if err := s.rights.SetGrants(ctx, inv.AccountID, m.ID, rights.Live(inv.Grants, now.Add(time.Second))); err != nil {
			return err
		}
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE invitations SET member_id = ? WHERE id = ?`), m.ID, inv.ID); err != nil {
			return err
		}
		return s.trail.Record(ctx, audit.Event{AccountID: inv.AccountID, ActorID: m.ID, ActorEmail: m.Email,
			Action: audit.InvitationAccepted, Target: m.ID, IP: in.IP})
	})
	if err != nil {
		return account.Member{}, fmt.Errorf("members: accept invitation %s: %w", inv.ID, err)
	}
	return m, nil
}

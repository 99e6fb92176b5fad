package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-idp/sesame/audit"
)

// PasswordChange is what a signed-in person types to change their password.
type PasswordChange struct {
	MemberID string
	Current  string
	New      string
	Confirm  string
	// KeepSession is the raw id of the session making the change: it stays
	// signed in while every other session of the person ends.
	KeepSession string
	IP          string
}

// ChangePassword replaces a member's password after checking the current
// one: a wrong current password gives ErrInvalidCredentials (and counts as
// an attempt for throttling, counted before the check like a sign-in's),
// a new one off policy a *PolicyError. Every other browser session of the
// person ends, the counters of their email are cleared, and every OAuth
// token of the person (refresh tokens included) is revoked in the same
// transaction: tokens cannot be told apart by browser session, and the
// products sign in again silently through the session kept.
func (s *Service) ChangePassword(ctx context.Context, c PasswordChange) error {
	now := s.now()
	row, err := s.memberRow(ctx, c.MemberID)
	if err != nil {
		return fmt.Errorf("account: change password of %s: %w", c.MemberID, err)
	}
	keys := s.throttle.throttleKeys(memberScope(row.AccountID), row.Email, c.IP, Device{})
	admitted, err := s.admit(ctx, now, keys)
	if err != nil {
		return err
	}
	ok, err := s.verify(ctx, row.ID, row.PasswordHash, c.Current)
	if err != nil {
		return err
	}
	if !ok || row.Status != StatusActive {
		return s.recordFailure(ctx, audit.Event{AccountID: row.AccountID, ActorID: row.ID, ActorEmail: row.Email,
			Action: audit.SignInFailed, Target: row.ID, Detail: "password_change_wrong_current", IP: c.IP, CreatedAt: now})
	}
	// The right current password: the attempt was no guess.
	s.uncount(ctx, admitted)
	if fails := CheckNewPassword(c.New, c.Confirm, row.Email, row.Name, row.AccountID); len(fails) > 0 {
		return &PolicyError{Failures: fails}
	}
	hash, err := s.hasher.Hash(ctx, c.New)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.updateMember(ctx, row.ID, `password_hash = ?, updated_at = ?`, hash, now); err != nil {
			return err
		}
		err := s.endSessions(ctx, `member_id = ? AND id_hash <> ?`, row.ID, sessionHash(c.KeepSession))
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := s.clearCounters(ctx, memberThrottleKeys(row.AccountID, row.Email, row.Role)...); err != nil {
			return err
		}
		if s.tokens != nil {
			if err := s.tokens.RevokeSubject(ctx, row.ID); err != nil {
				return fmt.Errorf("account: revoke tokens of %s: %w", row.ID, err)
			}
		}
		if err := s.trail.Record(ctx, audit.Event{AccountID: row.AccountID, ActorID: row.ID, ActorEmail: row.Email,
			Action: audit.PasswordChanged, Target: row.ID, IP: c.IP, CreatedAt: now}); err != nil {
			return err
		}
		return s.Notify(ctx, Notice{Kind: NoticePasswordChanged, PersonID: row.ID, Email: row.Email, AccountID: row.AccountID,
			Owner: row.Role == RoleOwner, IP: c.IP, At: now})
	})
}

package members

import (
	"context"
	"time"
)

// InvitationsPerHour bounds the invitation emails (new or resent) one
// account sends an hour, so that the console cannot be used to spam.
const InvitationsPerHour = 50

// ResendCooldown is the shortest time between two sendings of one
// invitation.
const ResendCooldown = time.Minute

// checkQuota counts the invitation emails the account sent this last hour
// (invitation_sends: one row per sending, resends included) and returns
// ErrTooManyInvitations when there is no room for one more. It holds the
// account's row until ctx's transaction ends, and the caller records its
// sending (recordSend) in the same transaction.
func (s *Service) checkQuota(ctx context.Context, accountID string, now time.Time) error {
	// Two invitations of one account counting at once would both see room
	// for one more.
	if err := s.accounts.LockAccount(ctx, accountID); err != nil {
		return err
	}
	since := now.Add(-time.Hour)
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM invitation_sends WHERE account_id = ? AND sent_at <= ?`), accountID, since); err != nil {
		return err
	}
	var n int
	err := s.db.GetContext(ctx, &n, s.db.Rebind(`SELECT COUNT(*) FROM invitation_sends WHERE account_id = ? AND sent_at > ?`), accountID, since)
	if err != nil {
		return err
	}
	if n >= InvitationsPerHour {
		return ErrTooManyInvitations
	}
	return nil
}

// recordSend counts one sending of inv against its account's quota.
func (s *Service) recordSend(ctx context.Context, inv Invitation) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO invitation_sends (account_id, invitation_id, sent_at) VALUES (?, ?, ?)`),
		inv.AccountID, inv.ID, inv.SentAt)
	return err
}

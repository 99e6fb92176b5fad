package account

import (
	"context"
	"fmt"

	"github.com/sesame-idp/sesame/db"
)

// CreateMember inserts a login account (role member) of accountID through
// q (the caller's transaction, or nil for the service's database).
// passwordHash is empty for an invited member who has not chosen a
// password yet, or a hash made by Hasher. It returns ErrInvalidEmail,
// ErrInvalidName, ErrAlreadyExists when the account already has a member
// with this email, or ErrNotFound when the account does not exist.
func (s *Service) CreateMember(ctx context.Context, accountID, email, name string, status Status, passwordHash string) (Member, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return Member{}, fmt.Errorf("account: create member %q: %w", email, err)
	}
	if name, err = cleanName(name); err != nil {
		return Member{}, fmt.Errorf("account: create member %s: %w", e, err)
	}
	if !status.Valid() {
		return Member{}, fmt.Errorf("account: create member %s: unknown status %q", e, status)
	}
	if passwordHash != "" {
		if _, err := parsePHC(passwordHash); err != nil {
			return Member{}, fmt.Errorf("account: create member %s: %w", e, err)
		}
	}
	id, ok := NormalizeAccountID(accountID)
	if !ok {
		return Member{}, fmt.Errorf("account: create member %s in %q: %w", e, accountID, ErrNotFound)
	}
	var exists int
	if err := s.db.GetContext(ctx, &exists, s.db.Rebind(`SELECT COUNT(*) FROM accounts WHERE id = ?`), id); err != nil {
		return Member{}, fmt.Errorf("account: create member %s in %s: %w", e, id, err)
	}
	if exists == 0 {
		return Member{}, fmt.Errorf("account: create member %s in %s: %w", e, id, ErrNotFound)
	}
	now := s.now()
	r := memberRow{
		ID: randomID("m_"), AccountID: id, Email: e, Name: name, Role: RoleMember, Status: status,
		PasswordHash: passwordHash, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.insertMember(ctx, r); err != nil {
		return Member{}, err
	}
	return r.member(), nil
}

// insertMember writes r through q.
func (s *Service) insertMember(ctx context.Context, r memberRow) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO members
		(id, account_id, email, name, role, status, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		r.ID, r.AccountID, r.Email, r.Name, r.Role, r.Status, r.PasswordHash, r.CreatedAt, r.UpdatedAt)
	if err != nil {
		return fmt.Errorf("account: insert member %s in %s: %w", r.Email, r.AccountID, db.Translate(err))
	}
	return nil
}

// SetMemberStatus changes the status of member id through q (nil for the
// service's database). A member who is no longer active loses its browser
// sessions in the same statement sequence; run it in a transaction to make
// both atomic. It returns ErrNotFound for an unknown member.
func (s *Service) SetMemberStatus(ctx context.Context, id string, status Status) error {
	if !status.Valid() {
		return fmt.Errorf("account: set status of %s: unknown status %q", id, status)
	}
	if err := s.updateMember(ctx, id, `status = ?, updated_at = ?`, status, s.now()); err != nil {
		return fmt.Errorf("account: set status of %s: %w", id, err)
	}
	if err := s.memberStatusChanged(ctx, id); err != nil {
		return fmt.Errorf("account: set status of %s: %w", id, err)
	}
	if status != StatusActive {
		return s.DeleteMemberSessions(ctx, id)
	}
	return nil
}

// SetMemberPassword stores passwordHash (made by Hasher) for member id
// through q (nil for the service's database). It returns ErrNotFound for
// an unknown member.
func (s *Service) SetMemberPassword(ctx context.Context, id, passwordHash string) error {
	if _, err := parsePHC(passwordHash); err != nil {
		return fmt.Errorf("account: set password of %s: %w", id, err)
	}
	if err := s.updateMember(ctx, id, `password_hash = ?, updated_at = ?`, passwordHash, s.now()); err != nil {
		return fmt.Errorf("account: set password of %s: %w", id, err)
	}
	return nil
}

// updateMember runs "UPDATE members SET <set> WHERE id = ?" and reports
// ErrNotFound when no row matched.
func (s *Service) updateMember(ctx context.Context, id, set string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE members SET `+set+` WHERE id = ?`), append(args, id)...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// memberStatusChanged runs Options.OnMemberStatus for member id.
func (s *Service) memberStatusChanged(ctx context.Context, id string) error {
	if s.onMemberStatus == nil {
		return nil
	}
	var accountID string
	if err := s.db.GetContext(ctx, &accountID, s.db.Rebind(`SELECT account_id FROM members WHERE id = ?`), id); err != nil {
		return db.Translate(err)
	}
	return s.onMemberStatus(ctx, accountID, id)
}

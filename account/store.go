package account

import (
	"context"
	"fmt"

	"github.com/sesame-idp/sesame/db"
)

// Account returns the account id (normalised first), or ErrNotFound.
func (s *Service) Account(ctx context.Context, id string) (Account, error) {
	norm, ok := NormalizeAccountID(id)
	if !ok {
		return Account{}, fmt.Errorf("account: account %q: %w", id, ErrNotFound)
	}
	var a Account
	err := s.db.GetContext(ctx, &a, s.db.Rebind(`SELECT id, name, created_at FROM accounts WHERE id = ?`), norm)
	if err != nil {
		return Account{}, fmt.Errorf("account: account %s: %w", norm, db.Translate(err))
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}

// Member returns the member id, or ErrNotFound.
func (s *Service) Member(ctx context.Context, id string) (Member, error) {
	r, err := s.memberRow(ctx, s.db, id)
	if err != nil {
		return Member{}, err
	}
	return r.member(), nil
}

// MemberByEmail returns the member of accountID with this email (owner or
// login account), or ErrNotFound; a malformed email is ErrInvalidEmail.
func (s *Service) MemberByEmail(ctx context.Context, accountID, email string) (Member, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return Member{}, fmt.Errorf("account: member %q of %s: %w", email, accountID, err)
	}
	id, ok := NormalizeAccountID(accountID)
	if !ok {
		return Member{}, fmt.Errorf("account: member %s of %q: %w", e, accountID, ErrNotFound)
	}
	var r memberRow
	err = s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT `+memberColumns+` FROM members WHERE account_id = ? AND email = ?`), id, e)
	if err != nil {
		return Member{}, fmt.Errorf("account: member %s of %s: %w", e, id, db.Translate(err))
	}
	return r.member(), nil
}

// Members lists the members of accountID, the owner first, then by email.
// An unknown account has no members.
func (s *Service) Members(ctx context.Context, accountID string) ([]Member, error) {
	id, ok := NormalizeAccountID(accountID)
	if !ok {
		return nil, nil
	}
	var rows []memberRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+memberColumns+` FROM members WHERE account_id = ?
		ORDER BY CASE role WHEN 'owner' THEN 0 ELSE 1 END, email`), id)
	if err != nil {
		return nil, fmt.Errorf("account: members of %s: %w", id, err)
	}
	members := make([]Member, len(rows))
	for i, r := range rows {
		members[i] = r.member()
	}
	return members, nil
}

// memberRow reads a member, password hash included, through q.
func (s *Service) memberRow(ctx context.Context, q db.Queryer, id string) (memberRow, error) {
	var r memberRow
	err := q.GetContext(ctx, &r, q.Rebind(`SELECT `+memberColumns+` FROM members WHERE id = ?`), id)
	if err != nil {
		return memberRow{}, fmt.Errorf("account: member %s: %w", id, db.Translate(err))
	}
	return r, nil
}

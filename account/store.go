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
	r, err := s.memberRow(ctx, id)
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
func (s *Service) memberRow(ctx context.Context, id string) (memberRow, error) {
	var r memberRow
	err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT `+memberColumns+` FROM members WHERE id = ?`), id)
	if err != nil {
		return memberRow{}, fmt.Errorf("account: member %s: %w", id, db.Translate(err))
	}
	return r, nil
}

// LockAccount holds the row of account id until ctx's transaction ends,
// so that checks-then-writes about one account made by other packages
// (an hourly quota, say) run one at a time. SQLite transactions already
// run one at a time: there it only checks that the account exists.
func (s *Service) LockAccount(ctx context.Context, id string) error {
	return s.lockRow(ctx, "accounts", id)
}

// LockMember holds the row of member id until ctx's transaction ends; see
// LockAccount.
func (s *Service) LockMember(ctx context.Context, id string) error {
	return s.lockRow(ctx, "members", id)
}

func (s *Service) lockRow(ctx context.Context, table, id string) error {
	if !s.db.InTransaction(ctx) {
		return fmt.Errorf("account: lock %s %s: no transaction in context", table, id)
	}
	query := `SELECT id FROM ` + table + ` WHERE id = ?`
	if s.db.Dialect == db.Postgres {
		query += ` FOR UPDATE`
	}
	var got string
	if err := s.db.GetContext(ctx, &got, s.db.Rebind(query), id); err != nil {
		return fmt.Errorf("account: lock %s %s: %w", table, id, db.Translate(err))
	}
	return nil
}

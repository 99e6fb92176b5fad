package account

import (
	"context"
	"fmt"

	"github.com/sesame-idp/sesame/db"
)

// OwnerByEmail returns the owner whose email this is (an owner signs in
// without an account ID, so the email names one owner at most).
func (s *Service) OwnerByEmail(ctx context.Context, email string) (Member, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Member{}, ErrNotFound
	}
	var r memberRow
	err = s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT `+memberColumns+` FROM members WHERE email = ? AND role = 'owner'`), email)
	if err != nil {
		return Member{}, fmt.Errorf("account: owner %s: %w", email, db.Translate(err))
	}
	return r.member(), nil
}

// MaxAccountsPerEmail bounds the accounts ActiveMembersByEmail returns:
// one address rarely belongs to more, and a reset message stays short.
const MaxAccountsPerEmail = 20

// ActiveMembersByEmail returns the active members (owners and login
// accounts) whose email this is, across all accounts, by account ID, at
// most MaxAccountsPerEmail of them. A malformed email has none.
func (s *Service) ActiveMembersByEmail(ctx context.Context, email string) ([]Member, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, nil
	}
	var rows []memberRow
	err = s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+memberColumns+` FROM members
		WHERE email = ? AND status = ? ORDER BY account_id LIMIT ?`), email, string(StatusActive), MaxAccountsPerEmail)
	if err != nil {
		return nil, fmt.Errorf("account: members with email %s: %w", email, err)
	}
	out := make([]Member, len(rows))
	for i, r := range rows {
		out[i] = r.member()
	}
	return out, nil
}

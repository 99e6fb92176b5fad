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

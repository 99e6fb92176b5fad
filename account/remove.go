package account

import (
	"context"
	"fmt"
)

// DeleteMember removes the login account id through q (nil for the
// service's database); its browser sessions and consents go with it
// (foreign keys cascade). An owner cannot be deleted this way: the account
// needs one. It returns ErrNotFound for an unknown login account.
func (s *Service) DeleteMember(ctx context.Context, id string) error {
	// An unknown id is ErrNotFound here already.
	if err := s.memberStatusChanged(ctx, id); err != nil {
		return fmt.Errorf("account: delete member %s: %w", id, err)
	}
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM members WHERE id = ? AND role = 'member'`), id)
	if err != nil {
		return fmt.Errorf("account: delete member %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("account: delete member %s: %w", id, ErrNotFound)
	}
	return nil
}

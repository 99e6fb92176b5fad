package account

import (
	"context"
	"fmt"

	"github.com/sesame-idp/sesame/db"
)

// CreateAdmin creates a platform administrator who signs in with email and
// password. The password must meet the policy (ErrWeakPassword); a taken
// email gives ErrAlreadyExists.
func (s *Service) CreateAdmin(ctx context.Context, email, password string) (Admin, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return Admin{}, fmt.Errorf("account: create admin %q: %w", email, err)
	}
	if err := enforcePolicy(password, e); err != nil {
		return Admin{}, fmt.Errorf("account: create admin %s: %w", e, err)
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return Admin{}, err
	}
	r := adminRow{ID: randomID("a_"), Email: e, PasswordHash: hash, CreatedAt: s.now()}
	_, err = s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO admins (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)`),
		r.ID, r.Email, r.PasswordHash, r.CreatedAt)
	if err != nil {
		return Admin{}, fmt.Errorf("account: create admin %s: %w", e, db.Translate(err))
	}
	return r.admin(), nil
}

// Admin returns the administrator id, or ErrNotFound.
func (s *Service) Admin(ctx context.Context, id string) (Admin, error) {
	var r adminRow
	err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT id, email, password_hash, created_at FROM admins WHERE id = ?`), id)
	if err != nil {
		return Admin{}, fmt.Errorf("account: admin %s: %w", id, db.Translate(err))
	}
	return r.admin(), nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ory/fosite"
)

// ClientAssertionJWTValid returns an error satisfying
// errors.Is(err, fosite.ErrJTIKnown) when jti was seen and has not expired
// yet, and nil when it is unknown.
func (s *Store) ClientAssertionJWTValid(ctx context.Context, jti string) error {
	var exp time.Time
	err := s.db.GetContext(ctx, &exp, s.db.Rebind(`SELECT expires_at FROM oauth_jtis WHERE jti = ?`), jti)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fail("check client assertion", err)
	case exp.After(s.now()):
		return fmt.Errorf("sqlstore: check client assertion: %w", fosite.ErrJTIKnown)
	}
	return nil
}

// SetClientAssertionJWT records jti until exp, first forgetting the JWT IDs
// that have expired. A jti still known gives an error satisfying
// errors.Is(err, fosite.ErrJTIKnown).
func (s *Store) SetClientAssertionJWT(ctx context.Context, jti string, exp time.Time) error {
	now := s.now()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.exec(ctx, `DELETE FROM oauth_jtis WHERE expires_at <= ?`, now); err != nil {
			return err
		}
		n, err := s.exec(ctx, `INSERT INTO oauth_jtis (jti, expires_at) VALUES (?, ?) ON CONFLICT (jti) DO NOTHING`,
			jti, exp.UTC().Truncate(time.Microsecond))
		if err == nil && n == 0 {
			return fosite.ErrJTIKnown
		}
		return err
	})
	if errors.Is(err, fosite.ErrJTIKnown) {
		return fmt.Errorf("sqlstore: record client assertion: %w", fosite.ErrJTIKnown)
	}
	return fail("record client assertion", err)
}

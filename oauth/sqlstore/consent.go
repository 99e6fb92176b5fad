package sqlstore

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/sesame-idp/sesame/db"
)

// HasConsent reports whether the member already allowed clientID every one
// of scopes.
func (s *Store) HasConsent(ctx context.Context, memberID, clientID string, scopes []string) (bool, error) {
	var granted string
	err := s.db.GetContext(ctx, &granted,
		s.db.Rebind(`SELECT scopes FROM oauth_consents WHERE member_id = ? AND client_id = ?`), memberID, clientID)
	if err = db.Translate(err); errors.Is(err, db.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fail("get consent", err)
	}
	have := strings.Fields(granted)
	for _, sc := range scopes {
		if !slices.Contains(have, sc) {
			return false, nil
		}
	}
	return true, nil
}

// SaveConsent records that the member allowed clientID scopes, replacing
// an earlier answer.
func (s *Store) SaveConsent(ctx context.Context, memberID, clientID string, scopes []string) error {
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO oauth_consents (member_id, client_id, scopes, granted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (member_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at`),
		memberID, clientID, strings.Join(scopes, " "), s.now())
	return fail("save consent", err)
}

package sqlstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

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

// Consent is what a person allowed a third-party client.
type Consent struct {
	ClientID   string    `db:"client_id"`
	ClientName string    `db:"client_name"`
	Scopes     string    `db:"scopes"` // space-separated
	GrantedAt  time.Time `db:"granted_at"`
}

// Consents returns what the member allowed clients, by client name.
func (s *Store) Consents(ctx context.Context, memberID string) ([]Consent, error) {
	list := []Consent{}
	err := s.db.SelectContext(ctx, &list, s.db.Rebind(`SELECT c.client_id, COALESCE(o.name, c.client_id) AS client_name, c.scopes, c.granted_at
		FROM oauth_consents c LEFT JOIN oauth_clients o ON o.id = c.client_id
		WHERE c.member_id = ? ORDER BY client_name, c.client_id`), memberID)
	for i := range list {
		list[i].GrantedAt = list[i].GrantedAt.UTC()
	}
	return list, fail("list consents", err)
}

// RevokeConsent withdraws what the member allowed clientID and deactivates
// the client's codes and tokens for the member, in one transaction: the
// client must ask again. It returns db.ErrNotFound when there was no
// consent.
func (s *Store) RevokeConsent(ctx context.Context, memberID, clientID string) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		n, err := s.exec(ctx, `DELETE FROM oauth_consents WHERE member_id = ? AND client_id = ?`, memberID, clientID)
		if err != nil {
			return err
		}
		if n == 0 {
			return db.ErrNotFound
		}
		for _, k := range []kind{codes, refreshTokens} {
			if _, err := s.exec(ctx, `UPDATE `+k.table+` SET active = FALSE WHERE subject = ? AND client_id = ? AND active`, memberID, clientID); err != nil {
				return err
			}
		}
		return s.deactivateAccessTokens(ctx, `subject = ? AND client_id = ?`, memberID, clientID)
	})
	return fail("revoke consent", err)
}

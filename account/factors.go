package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/sesame-idp/sesame/db"
)

// factorTables names where the second factors of one kind of person are
// kept: members (m_…) or platform administrators (a_…).
type factorTables struct {
	totp, codes, passkeys, id string
}

func tablesOf(personID string) factorTables {
	if strings.HasPrefix(personID, "a_") {
		return factorTables{totp: "admin_totp", codes: "admin_recovery_codes", passkeys: "admin_passkeys", id: "admin_id"}
	}
	return factorTables{totp: "member_totp", codes: "member_recovery_codes", passkeys: "member_passkeys", id: "member_id"}
}

// person is who a second factor belongs to: a member (with its account,
// Owner when it owns it) or a platform administrator (AccountID empty).
type person struct {
	ID, Email, AccountID string
	Owner                bool
}

// personOf returns the member or administrator personID.
func (s *Service) personOf(ctx context.Context, personID string) (person, error) {
	if strings.HasPrefix(personID, "a_") {
		var p person
		err := s.db.GetContext(ctx, &p.Email, s.db.Rebind(`SELECT email FROM admins WHERE id = ?`), personID)
		if errors.Is(err, sql.ErrNoRows) {
			return person{}, fmt.Errorf("account: admin %s: %w", personID, ErrNotFound)
		}
		if err != nil {
			return person{}, fmt.Errorf("account: admin %s: %w", personID, db.Translate(err))
		}
		p.ID = personID
		return p, nil
	}
	m, err := s.memberRow(ctx, personID)
	if err != nil {
		return person{}, err
	}
	return person{ID: m.ID, Email: m.Email, AccountID: m.AccountID, Owner: m.Role == RoleOwner}, nil
}

// label is how an authenticator app names the person.
func (p person) label() string {
	if p.AccountID == "" {
		return p.Email + " (admin)"
	}
	return p.Email + " (" + p.AccountID + ")"
}

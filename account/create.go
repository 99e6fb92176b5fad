package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/audit"
)

// collisionsPerWidth is how many taken IDs of one width CreateAccount
// draws before it tries one digit more.
const collisionsPerWidth = 3

// CreateAccount creates an account named name with its owner, who signs in
// with ownerEmail and password. The account ID is "id" and six random
// digits (more when the six-digit space gets crowded), the member ID 100
// random bits: neither reveals how many accounts exist. An empty name
// falls back to the owner's name, then to the email. The password must
// meet the policy (ErrWeakPassword, a *PolicyError); an owner with this
// email already existing gives ErrAlreadyExists. The creation, its audit
// event and Options.OnOwnerCreated commit together.
func (s *Service) CreateAccount(ctx context.Context, name, ownerEmail, ownerName, password string) (Account, Member, error) {
	email, err := NormalizeEmail(ownerEmail)
	if err != nil {
		return Account{}, Member{}, fmt.Errorf("account: create account for %q: %w", ownerEmail, err)
	}
	if name, err = cleanName(name); err != nil {
		return Account{}, Member{}, fmt.Errorf("account: create account for %s: %w", email, err)
	}
	if ownerName, err = cleanName(ownerName); err != nil {
		return Account{}, Member{}, fmt.Errorf("account: create account for %s: %w", email, err)
	}
	if name == "" {
		name = ownerName
	}
	if name == "" {
		name = email
	}
	if err := enforcePolicy(password, email, ownerName, name); err != nil {
		return Account{}, Member{}, fmt.Errorf("account: create account for %s: %w", email, err)
	}
	// A cheap check first so that a taken email costs no hash; the unique
	// index settles races.
	var owners int
	if err := s.db.GetContext(ctx, &owners, s.db.Rebind(`SELECT COUNT(*) FROM members WHERE email = ? AND role = 'owner'`), email); err != nil {
		return Account{}, Member{}, fmt.Errorf("account: create account for %s: %w", email, err)
	}
	if owners > 0 {
		return Account{}, Member{}, fmt.Errorf("account: create account for %s: an owner %w", email, ErrAlreadyExists)
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return Account{}, Member{}, err
	}
	now := s.now()
	var (
		a Account
		m memberRow
	)
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		id, err := s.insertAccount(ctx, name, now)
		if err != nil {
			return err
		}
		a = Account{ID: id, Name: name, CreatedAt: now}
		m = memberRow{
			ID: randomID("m_"), AccountID: id, Email: email, Name: ownerName, Role: RoleOwner, Status: StatusActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now,
		}
		if err := s.insertMember(ctx, m); err != nil {
			return err
		}
		if err := s.trail.Record(ctx, audit.Event{
			AccountID: id, Action: audit.AccountCreated, Target: m.ID, Detail: "owner " + email, CreatedAt: now,
		}); err != nil {
			return err
		}
		if s.onOwnerCreated != nil {
			if err := s.onOwnerCreated(ctx, id, m.ID); err != nil {
				return fmt.Errorf("account: owner of %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return Account{}, Member{}, fmt.Errorf("account: create account for %s: %w", email, err)
	}
	return a, m.member(), nil
}

// insertAccount inserts an account under a fresh random ID and returns
// the ID. A taken ID is skipped with ON CONFLICT DO NOTHING rather than a
// unique violation, which would abort a PostgreSQL transaction.
func (s *Service) insertAccount(ctx context.Context, name string, now time.Time) (string, error) {
	insert := s.db.Rebind(`INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	for width, taken := accountIDMinDigits, 0; width <= accountIDMaxDigits; {
		id, err := randomAccountID(s.rand, width)
		if err != nil {
			return "", err
		}
		res, err := s.db.ExecContext(ctx, insert, id, name, now)
		if err != nil {
			return "", fmt.Errorf("account: insert account: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return "", fmt.Errorf("account: insert account: %w", err)
		} else if n == 1 {
			return id, nil
		}
		if taken++; taken%collisionsPerWidth == 0 {
			width++
		}
	}
	return "", errors.New("account: insert account: no free account ID")
}

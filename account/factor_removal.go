package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/sesame-idp/sesame/audit"
)

// lockPerson holds the row of personID (a member or an administrator)
// until ctx's transaction ends, so that changes to their second factors
// run one at a time.
func (s *Service) lockPerson(ctx context.Context, personID string) error {
	if strings.HasPrefix(personID, "a_") {
		return s.lockRow(ctx, "admins", personID)
	}
	return s.lockRow(ctx, "members", personID)
}

// lockedFactors locks personID (see lockPerson) and returns their second
// factors as they stand under the lock.
func (s *Service) lockedFactors(ctx context.Context, personID string) (SecondFactors, error) {
	if err := s.lockPerson(ctx, personID); err != nil {
		return SecondFactors{}, err
	}
	return s.SecondFactors(ctx, personID)
}

// factorRequired reports whether p must keep a second factor: platform
// administrators always, login accounts when their owner requires it
// (the policy binds login accounts, not the owner).
func (s *Service) factorRequired(ctx context.Context, p person) (bool, error) {
	if p.AccountID == "" {
		return true, nil
	}
	if p.Owner {
		return false, nil
	}
	return s.accountRequiresMFA(ctx, p.AccountID)
}

// removeFactor runs remove (which deletes one second factor of p and
// returns its name, if any, and whether it found it) in a transaction that holds p's row: it
// refuses with ErrLastFactor to leave without a factor someone who must
// keep one, removes the recovery codes with the last factor, and records
// and tells the removal. Two removals at once are decided one after the
// other, so they cannot together remove the last two factors.
func (s *Service) removeFactor(ctx context.Context, p person, factor, ip string, remove func(context.Context) (name string, found bool, err error)) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockPerson(ctx, p.ID); err != nil {
			return err
		}
		name, found, err := remove(ctx)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		left, err := s.SecondFactors(ctx, p.ID)
		if err != nil {
			return err
		}
		if !left.Any() {
			required, err := s.factorRequired(ctx, p)
			if err != nil {
				return err
			}
			if required {
				return ErrLastFactor
			}
			t := tablesOf(p.ID)
			if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM `+t.codes+` WHERE `+t.id+` = ?`), p.ID); err != nil {
				return err
			}
		}
		detail := factor
		if name != "" {
			detail += ": " + name
		}
		if err := s.trail.Record(ctx, audit.Event{AccountID: p.AccountID, ActorID: p.ID, ActorEmail: p.Email,
			Action: audit.SecondFactorRemoved, Target: p.ID, Detail: detail, IP: ip, CreatedAt: s.now()}); err != nil {
			return err
		}
		return s.NotifyFactorChange(ctx, NoticeFactorRemoved, p.ID, factor, name, ip)
	})
}

// RemovePasskey removes passkey id of personID; ErrNotFound when it is not
// theirs. Removing the last second factor of someone who must keep one (a
// platform administrator, or a login account whose owner requires one)
// gives ErrLastFactor; removing the last one of anyone else removes the
// recovery codes with it.
func (s *Service) RemovePasskey(ctx context.Context, personID, id, ip string) error {
	p, err := s.personOf(ctx, personID)
	if err != nil {
		return err
	}
	t := tablesOf(personID)
	err = s.removeFactor(ctx, p, FactorPasskey, ip, func(ctx context.Context) (string, bool, error) {
		var name string
		err := s.db.GetContext(ctx, &name, s.db.Rebind(`SELECT name FROM `+t.passkeys+` WHERE id = ? AND `+t.id+` = ?`), id, personID)
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		_, err = s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM `+t.passkeys+` WHERE id = ?`), id)
		return name, err == nil, err
	})
	if err != nil {
		return fmt.Errorf("account: remove passkey %s of %s: %w", id, personID, err)
	}
	return nil
}

// RemoveTOTP removes the authenticator app of personID, with the rules of
// RemovePasskey; ErrNoSecondFactor when there is none.
func (s *Service) RemoveTOTP(ctx context.Context, personID, ip string) error {
	p, err := s.personOf(ctx, personID)
	if err != nil {
		return err
	}
	t := tablesOf(personID)
	err = s.removeFactor(ctx, p, FactorTOTP, ip, func(ctx context.Context) (string, bool, error) {
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM `+t.totp+` WHERE `+t.id+` = ? AND confirmed_at IS NOT NULL`), personID)
		if err != nil {
			return "", false, err
		}
		n, err := res.RowsAffected()
		return "", n == 1, err
	})
	if errors.Is(err, ErrNotFound) {
		return ErrNoSecondFactor
	}
	if err != nil {
		return fmt.Errorf("account: remove the authenticator app of %s: %w", personID, err)
	}
	return nil
}

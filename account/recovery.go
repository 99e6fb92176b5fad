package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/sesame-idp/sesame/audit"
)

const (
	// recoveryCodeCount is how many recovery codes a member holds.
	recoveryCodeCount = 10
	// recoveryAlphabet has no look-alike characters (no 0/o, 1/l/i).
	recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"
)

// newRecoveryCodes replaces memberID's recovery codes with ten new ones
// (10 characters from a 31-letter alphabet, about 49 bits each) and
// returns them; only their SHA-256 is stored. It joins ctx's transaction.
func (s *Service) newRecoveryCodes(ctx context.Context, memberID string) ([]string, error) {
	t := tablesOf(memberID)
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM `+t.codes+` WHERE `+t.id+` = ?`), memberID); err != nil {
		return nil, fmt.Errorf("account: recovery codes: %w", err)
	}
	codes := make([]string, recoveryCodeCount)
	now := s.now()
	for i := range codes {
		c, err := randomCode(s.rand)
		if err != nil {
			return nil, err
		}
		codes[i] = c
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO `+t.codes+` (`+t.id+`, code_hash, created_at)
			VALUES (?, ?, ?)`), memberID, recoveryHash(c), now); err != nil {
			return nil, fmt.Errorf("account: recovery codes: %w", err)
		}
	}
	return codes, nil
}

// RegenerateRecoveryCodes replaces the recovery codes of memberID, who
// must have a second factor, and returns the new ones (shown once).
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, memberID, ip string) ([]string, error) {
	f, err := s.SecondFactors(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if !f.Any() {
		return nil, fmt.Errorf("account: recovery codes of %s: %w", memberID, ErrNoSecondFactor)
	}
	m, err := s.personOf(ctx, memberID)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if codes, err = s.newRecoveryCodes(ctx, memberID); err != nil {
			return err
		}
		if err := s.trail.Record(ctx, audit.Event{AccountID: m.AccountID, ActorID: memberID, ActorEmail: m.Email,
			Action: audit.RecoveryCodesNew, Target: memberID, IP: ip, CreatedAt: s.now()}); err != nil {
			return err
		}
		return s.Notify(ctx, Notice{Kind: NoticeRecoveryCodesNew, PersonID: memberID, Email: m.Email, AccountID: m.AccountID,
			Owner: m.Owner, Factor: FactorRecovery, IP: ip})
	})
	if err != nil {
		return nil, fmt.Errorf("account: recovery codes of %s: %w", memberID, err)
	}
	return codes, nil
}

// useRecoveryCode marks code used for memberID, once: a conditional
// update on an unused row.
func (s *Service) useRecoveryCode(ctx context.Context, memberID, code string) (bool, error) {
	t := tablesOf(memberID)
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE `+t.codes+` SET used_at = ?
		WHERE `+t.id+` = ? AND code_hash = ? AND used_at IS NULL`), s.now(), memberID, recoveryHash(code))
	if err != nil {
		return false, fmt.Errorf("account: use recovery code: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func randomCode(r io.Reader) (string, error) {
	var b [10]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("account: random recovery code: %w", err)
	}
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		// 256 is not a multiple of 31: the bias (under 1%) costs less
		// than a bit of the code's strength.
		out = append(out, recoveryAlphabet[int(c)%len(recoveryAlphabet)])
	}
	return string(out), nil
}

// normalizeRecoveryCode drops spaces and hyphens and lowercases, so that a
// code typed as shown, or without its hyphen, matches.
func normalizeRecoveryCode(code string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
}

func recoveryHash(code string) string {
	sum := sha256.Sum256([]byte("recovery\x00" + normalizeRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}

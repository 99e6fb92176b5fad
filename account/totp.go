package account

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
)

// TOTP parameters: what every authenticator app supports (RFC 6238 with
// its defaults), with one step of clock drift either way.
const (
	totpPeriod = 30
	totpSkew   = 1
	// totpPurpose is the sealing purpose of TOTP secrets.
	totpPurpose = "totp-secret"
	// TOTPIssuer names Sésame in authenticator apps.
	TOTPIssuer = "Sésame"
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// SecondFactors says what second factors a member has.
type SecondFactors struct {
	// TOTP is true once an authenticator app is confirmed.
	TOTP bool
	// Passkeys counts the registered passkeys.
	Passkeys int
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int
}

// Any reports whether the member has a second factor.
func (f SecondFactors) Any() bool { return f.TOTP || f.Passkeys > 0 }

type totpRow struct {
	Sealed      string       `db:"secret_sealed"`
	ConfirmedAt sql.NullTime `db:"confirmed_at"`
	LastStep    int64        `db:"last_step"`
}

func (s *Service) totpRow(ctx context.Context, memberID string) (totpRow, bool, error) {
	var r totpRow
	t := tablesOf(memberID)
	err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT secret_sealed, confirmed_at, last_step FROM `+t.totp+` WHERE `+t.id+` = ?`), memberID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("account: second factor of %s: %w", memberID, err)
	}
	return r, true, nil
}

// SecondFactors returns the second factors of memberID.
func (s *Service) SecondFactors(ctx context.Context, memberID string) (SecondFactors, error) {
	r, ok, err := s.totpRow(ctx, memberID)
	if err != nil {
		return SecondFactors{}, err
	}
	f := SecondFactors{TOTP: ok && r.ConfirmedAt.Valid}
	t := tablesOf(memberID)
	if err := s.db.GetContext(ctx, &f.RecoveryCodesLeft, s.db.Rebind(`SELECT COUNT(*) FROM `+t.codes+`
		WHERE `+t.id+` = ? AND used_at IS NULL`), memberID); err != nil {
		return SecondFactors{}, fmt.Errorf("account: recovery codes of %s: %w", memberID, err)
	}
	if err := s.db.GetContext(ctx, &f.Passkeys, s.db.Rebind(`SELECT COUNT(*) FROM `+t.passkeys+`
		WHERE `+t.id+` = ?`), memberID); err != nil {
		return SecondFactors{}, fmt.Errorf("account: passkeys of %s: %w", memberID, err)
	}
	return f, nil
}

// PendingTOTP returns the otpauth:// URI of the authenticator memberID is
// enrolling: the one waiting for its first code, or a new one. It returns
// ErrConflict when one is already confirmed.
func (s *Service) PendingTOTP(ctx context.Context, memberID string) (string, error) {
	if s.sealer == nil {
		return "", errors.New("account: no sealer configured for second factors")
	}
	m, err := s.personOf(ctx, memberID)
	if err != nil {
		return "", err
	}
	r, ok, err := s.totpRow(ctx, memberID)
	if err != nil {
		return "", err
	}
	if ok && r.ConfirmedAt.Valid {
		return "", fmt.Errorf("account: enrol TOTP for %s: %w", memberID, ErrConflict)
	}
	if ok {
		return s.openTOTP(r.Sealed)
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: TOTPIssuer, AccountName: m.label(),
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Rand: s.rand,
	})
	if err != nil {
		return "", fmt.Errorf("account: generate TOTP key: %w", err)
	}
	uri := key.URL()
	t := tablesOf(memberID)
	_, err = s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO `+t.totp+` (`+t.id+`, secret_sealed, created_at) VALUES (?, ?, ?)
		ON CONFLICT (`+t.id+`) DO NOTHING`), memberID, s.sealer.Seal(totpPurpose, []byte(uri)), s.now())
	if err != nil {
		return "", fmt.Errorf("account: enrol TOTP for %s: %w", memberID, db.Translate(err))
	}
	// Two enrolments at once: the first one written wins.
	r, _, err = s.totpRow(ctx, memberID)
	if err != nil {
		return "", err
	}
	return s.openTOTP(r.Sealed)
}

func (s *Service) openTOTP(sealed string) (string, error) {
	b, err := s.sealer.Open(totpPurpose, sealed)
	if err != nil {
		return "", fmt.Errorf("account: open TOTP secret: %w", err)
	}
	return string(b), nil
}

// ConfirmTOTP confirms the pending authenticator of memberID with a code
// from it. When it is their first second factor it returns their first
// recovery codes (shown once); nil otherwise. A wrong code gives
// ErrInvalidCode.
func (s *Service) ConfirmTOTP(ctx context.Context, memberID, code, ip string) ([]string, error) {
	r, ok, err := s.totpRow(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if !ok || r.ConfirmedAt.Valid {
		return nil, fmt.Errorf("account: confirm TOTP for %s: %w", memberID, ErrConflict)
	}
	m, err := s.personOf(ctx, memberID)
	if err != nil {
		return nil, err
	}
	step, err := s.matchTOTP(r, code)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		had, err := s.lockedFactors(ctx, memberID)
		if err != nil {
			return err
		}
		t := tablesOf(memberID)
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE `+t.totp+` SET confirmed_at = ?, last_step = ?
			WHERE `+t.id+` = ? AND confirmed_at IS NULL`), s.now(), step, memberID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		if !had.Any() {
			if codes, err = s.newRecoveryCodes(ctx, memberID); err != nil {
				return err
			}
		}
		if err := s.trail.Record(ctx, audit.Event{AccountID: m.AccountID, ActorID: memberID, ActorEmail: m.Email,
			Action: audit.SecondFactorAdded, Target: memberID, Detail: "totp", IP: ip, CreatedAt: s.now()}); err != nil {
			return err
		}
		return s.Notify(ctx, Notice{Kind: NoticeFactorAdded, PersonID: memberID, Email: m.Email, AccountID: m.AccountID,
			Owner: m.Owner, Factor: FactorTOTP, IP: ip})
	})
	if err != nil {
		return nil, fmt.Errorf("account: confirm TOTP for %s: %w", memberID, err)
	}
	return codes, nil
}

// matchTOTP returns the time step, within the drift allowed and later
// than the last one used, whose code is code; ErrInvalidCode otherwise.
func (s *Service) matchTOTP(r totpRow, code string) (int64, error) {
	if len(code) != 6 {
		return 0, ErrInvalidCode
	}
	uri, err := s.openTOTP(r.Sealed)
	if err != nil {
		return 0, err
	}
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return 0, fmt.Errorf("account: stored TOTP key: %w", err)
	}
	now := s.clock().Unix() / totpPeriod
	for step := now - totpSkew; step <= now+totpSkew; step++ {
		if step <= r.LastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(key.Secret(), time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, fmt.Errorf("account: TOTP code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, nil
		}
	}
	return 0, ErrInvalidCode
}

// useTOTP accepts code for memberID once: the step it matches is stored
// by a conditional update, so that the same code sent twice at once
// passes once.
func (s *Service) useTOTP(ctx context.Context, memberID, code string) (bool, error) {
	r, ok, err := s.totpRow(ctx, memberID)
	if err != nil || !ok || !r.ConfirmedAt.Valid {
		return false, err
	}
	step, err := s.matchTOTP(r, code)
	if errors.Is(err, ErrInvalidCode) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	t := tablesOf(memberID)
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE `+t.totp+` SET last_step = ?
		WHERE `+t.id+` = ? AND last_step < ? AND confirmed_at IS NOT NULL`), step, memberID, step)
	if err != nil {
		return false, fmt.Errorf("account: use TOTP code: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

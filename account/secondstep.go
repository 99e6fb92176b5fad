package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
)

// Authentication methods (RFC 8176) a browser session records.
const (
	AMRPassword = "pwd"
	AMROTP      = "otp"
	AMRMFA      = "mfa"
)

// VerifySecondFactor checks the second step of memberID's sign-in: code
// is a TOTP code (accepted once) or an unused recovery code (then used
// up). Like a password, the attempt is counted before it is checked, on
// the member's own second-step counter (or, when device is the browser's
// device cookie from an earlier complete sign-in, on that device's, so
// that someone holding the password cannot lock the person out of their
// usual browser) and on the client address's: past a limit it returns a
// *ThrottledError. A wrong code gives ErrInvalidCode.
func (s *Service) VerifySecondFactor(ctx context.Context, memberID, code, ip string, device Device) error {
	code = strings.TrimSpace(code)
	if len(code) > 64 {
		code = code[:64]
	}
	return s.secondStep(ctx, memberID, ip, device, func(ctx context.Context, m person, now time.Time) (bool, error) {
		ok, err := s.useTOTP(ctx, memberID, strings.ReplaceAll(code, " ", ""))
		if err != nil || ok {
			return ok, err
		}
		return s.spendRecoveryCode(ctx, m, code, ip, now)
	})
}

// spendRecoveryCode uses up code for m, records it and tells the person,
// all in the transaction ctx carries; false when code is no unused
// recovery code of m.
func (s *Service) spendRecoveryCode(ctx context.Context, m person, code, ip string, now time.Time) (bool, error) {
	used, err := s.useRecoveryCode(ctx, m.ID, code)
	if err != nil || !used {
		return false, err
	}
	if err := s.trail.Record(ctx, audit.Event{AccountID: m.AccountID, ActorID: m.ID, ActorEmail: m.Email,
		Action: audit.RecoveryCodeUsed, Target: m.ID, IP: ip, CreatedAt: now}); err != nil {
		return false, err
	}
	var left int
	t := tablesOf(m.ID)
	if err := s.db.GetContext(ctx, &left, s.db.Rebind(`SELECT COUNT(*) FROM `+t.codes+`
		WHERE `+t.id+` = ? AND used_at IS NULL`), m.ID); err != nil {
		return false, err
	}
	return true, s.Notify(ctx, Notice{Kind: NoticeRecoveryCodeUsed, PersonID: m.ID, Email: m.Email, AccountID: m.AccountID,
		Owner: m.Owner, Factor: FactorRecovery, Remaining: left, IP: ip, At: now})
}

// VerifyPasskey checks the second step of personID's sign-in with a
// passkey: state is the sealed ceremony of BeginPasskeySignIn, response
// the browser's answer (JSON). It is throttled like VerifySecondFactor and
// returns the authentication method (AMRHardwareKey or AMRSoftwareKey).
func (s *Service) VerifyPasskey(ctx context.Context, personID, state, response, ip string, device Device) (string, error) {
	var method string
	err := s.secondStep(ctx, personID, ip, device, func(ctx context.Context, p person, _ time.Time) (bool, error) {
		var err error
		method, err = s.verifyPasskey(ctx, p, state, response)
		if errors.Is(err, ErrInvalidCode) {
			return false, nil
		}
		return err == nil, err
	})
	return method, err
}

// secondStep counts an attempt of personID's second step, then, in one
// transaction, runs check (false: a wrong answer) and settles the counters
// of a success, so that what check uses up stays used only with it. A
// wrong answer is recorded and gives ErrInvalidCode.
func (s *Service) secondStep(ctx context.Context, personID, ip string, device Device, check func(context.Context, person, time.Time) (bool, error)) error {
	now := s.now()
	keys := s.secondStepKeys(personID, ip, device.usable())
	admitted, err := s.admit(ctx, now, keys)
	if err != nil {
		return err
	}
	m, err := s.personOf(ctx, personID)
	if err != nil {
		s.uncount(ctx, admitted)
		return err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		ok, err := check(ctx, m, now)
		if err != nil {
			return err
		}
		if !ok {
			return ErrInvalidCode
		}
		return s.settle(ctx, admitted, keys[0].key)
	})
	if errors.Is(err, ErrInvalidCode) {
		if err := s.trail.Record(context.WithoutCancel(ctx), audit.Event{AccountID: m.AccountID, ActorID: personID,
			ActorEmail: m.Email, Action: audit.SecondFactorFailed, Target: personID, IP: ip, CreatedAt: now}); err != nil {
			return fmt.Errorf("account: record failed second step: %w", err)
		}
		return ErrInvalidCode
	}
	if err != nil {
		return fmt.Errorf("account: second step of %s: %w", personID, err)
	}
	return nil
}

// secondStepKeys are the counters of a second-step attempt: the device's
// (the devices' limit) when there is one, the member's own (the email's
// limit) otherwise, and the client address's, shared with passwords.
func (s *Service) secondStepKeys(memberID, ip string, device Device) []throttleKey {
	limit := func(n int) int {
		if n < 0 {
			return 1 << 30
		}
		return n
	}
	var keys []throttleKey
	if device.ID != "" {
		sum := sha256.Sum256([]byte("second-step\x00" + memberID + "\x00" + device.ID))
		keys = append(keys, throttleKey{key: "mv:" + hex.EncodeToString(sum[:]), limit: limit(s.throttle.MaxPerDevice)})
	} else {
		sum := sha256.Sum256([]byte("second-step\x00" + memberID))
		keys = append(keys, throttleKey{key: "mf:" + hex.EncodeToString(sum[:]), limit: limit(s.throttle.MaxPerEmail)})
	}
	for _, k := range s.throttle.throttleKeys("", "", ip, Device{}) {
		if isIPKey(k.key) {
			keys = append(keys, k)
		}
	}
	return keys
}

// ResetSecondFactors removes every second factor of memberID (the
// authenticator and the recovery codes), recorded in the account's trail
// as done by actor (an email, or a description of the operator).
func (s *Service) ResetSecondFactors(ctx context.Context, memberID, actor, ip string) error {
	m, err := s.personOf(ctx, memberID)
	if err != nil {
		return err
	}
	t := tablesOf(memberID)
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		for _, table := range []string{t.totp, t.codes, t.passkeys} {
			q := `DELETE FROM ` + table + ` WHERE ` + t.id + ` = ?`
			if _, err := s.db.ExecContext(ctx, s.db.Rebind(q), memberID); err != nil {
				return err
			}
		}
		if err := s.trail.Record(ctx, audit.Event{AccountID: m.AccountID, ActorEmail: actor, Action: audit.SecondFactorReset,
			Target: memberID, Detail: m.Email, IP: ip, CreatedAt: s.now()}); err != nil {
			return err
		}
		return s.Notify(ctx, Notice{Kind: NoticeFactorsReset, PersonID: memberID, Email: m.Email, AccountID: m.AccountID,
			Owner: m.Owner, By: noticeBy(actor), IP: ip})
	})
	if err != nil {
		return fmt.Errorf("account: reset second factors of %s: %w", memberID, err)
	}
	return nil
}

// NeedsSecondFactor reports whether memberID must pass a second step
// after the password: it has one, or its account's owner requires one
// of login accounts (it must then enrol first).
func (s *Service) NeedsSecondFactor(ctx context.Context, m Member) (has, required bool, err error) {
	f, err := s.SecondFactors(ctx, m.ID)
	if err != nil {
		return false, false, err
	}
	required, err = s.MFARequired(ctx, m)
	return f.Any(), required, err
}

// MFARequired reports whether the owner's policy requires a second factor
// of m. Only login accounts are bound by it: an owner is not (no query).
func (s *Service) MFARequired(ctx context.Context, m Member) (bool, error) {
	if m.Role != RoleMember {
		return false, nil
	}
	return s.accountRequiresMFA(ctx, m.AccountID)
}

func (s *Service) accountRequiresMFA(ctx context.Context, accountID string) (bool, error) {
	var required bool
	if err := s.db.GetContext(ctx, &required, s.db.Rebind(`SELECT require_mfa FROM accounts WHERE id = ?`), accountID); err != nil {
		return false, fmt.Errorf("account: policy of %s: %w", accountID, err)
	}
	return required, nil
}

// SetRequireMFA sets the owner's policy of account accountID (every login
// account needs a second factor), recorded in the account's trail as done
// by actorID/actorEmail.
func (s *Service) SetRequireMFA(ctx context.Context, accountID string, require bool, actorID, actorEmail, ip string) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE accounts SET require_mfa = ? WHERE id = ?`), require, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		return s.trail.Record(ctx, audit.Event{AccountID: accountID, ActorID: actorID, ActorEmail: actorEmail,
			Action: audit.MFAPolicyChanged, Target: accountID, Detail: fmt.Sprintf("require_mfa=%t", require), IP: ip, CreatedAt: s.now()})
	})
	if err != nil {
		return fmt.Errorf("account: policy of %s: %w", accountID, err)
	}
	return nil
}

// MFAPolicy returns the owner's policy of accountID and the members of
// the account that have a second factor.
func (s *Service) MFAPolicy(ctx context.Context, accountID string) (bool, map[string]bool, error) {
	var require bool
	if err := s.db.GetContext(ctx, &require, s.db.Rebind(`SELECT require_mfa FROM accounts WHERE id = ?`), accountID); err != nil {
		return false, nil, fmt.Errorf("account: policy of %s: %w", accountID, db.Translate(err))
	}
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT t.member_id FROM member_totp t JOIN members m ON m.id = t.member_id
		WHERE m.account_id = ? AND t.confirmed_at IS NOT NULL
		UNION SELECT k.member_id FROM member_passkeys k JOIN members m ON m.id = k.member_id WHERE m.account_id = ?`), accountID, accountID); err != nil {
		return false, nil, fmt.Errorf("account: second factors of %s: %w", accountID, err)
	}
	with := make(map[string]bool, len(ids))
	for _, id := range ids {
		with[id] = true
	}
	return require, with, nil
}

package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
)

// Credentials is what a person types to sign in, and where from.
type Credentials struct {
	Email    string
	Password string
	// AccountID names the account to sign in to; empty means "the owner
	// whose email this is".
	AccountID string
	// IP is the client address, for throttling and the audit trail.
	IP string
}

// signInTarget is what a sign-in lookup finds: the account named (when
// it exists) and the member (when there is one); all empty otherwise.
type signInTarget struct {
	AccountID    string `db:"account_id"`
	MemberID     string `db:"member_id"`
	Role         Role   `db:"role"`
	Status       Status `db:"status"`
	PasswordHash string `db:"password_hash"`
}

// Authenticate signs a member in. With an account ID it looks for the
// member of that account (owner or login account) with this email;
// without, for the owner with this email. Every failure (malformed email
// or account ID, unknown account, not a member, invited or disabled
// member, wrong password) returns ErrInvalidCredentials after one argon2id
// verification (against a dummy hash when there is no real one) and one
// transaction that counts the failure and records audit.SignInFailed (in
// the account's trail when the account exists, the platform's otherwise),
// so that neither the answer nor its cost tells them apart.
//
// Before any hashing, the counters of the email in this scope (the
// account ID as typed, or none) and of the client address are read: at
// their limit the attempt returns ErrThrottled at once, whether the
// email exists or not. An owner signing in with and without the account
// ID uses two counters. Success clears the email's counters, sets
// last_login_at and records audit.SignIn.
func (s *Service) Authenticate(ctx context.Context, c Credentials) (Member, error) {
	now := s.now()
	email, emailErr := NormalizeEmail(c.Email)
	if emailErr != nil {
		email = truncate(strings.ToLower(strings.TrimSpace(c.Email)), maxEmailLen)
	}
	scope := truncate(strings.ToLower(strings.TrimSpace(c.AccountID)), 64)
	accountID, accountOK := "", true
	if scope != "" {
		if accountID, accountOK = NormalizeAccountID(scope); accountOK {
			scope = accountID
		}
	}
	keys := s.throttle.throttleKeys(memberScope(scope), email, c.IP)
	if err := s.throttled(ctx, now, keys); err != nil {
		return Member{}, err
	}

	var t signInTarget
	if emailErr == nil && accountOK {
		var err error
		if t, err = s.lookupSignIn(ctx, accountID, email); err != nil {
			return Member{}, err
		}
	}
	ok, err := s.verify(ctx, t.MemberID, t.PasswordHash, c.Password)
	if err != nil {
		return Member{}, err
	}
	var reason string
	switch {
	case emailErr != nil:
		reason = "malformed_email"
	case !accountOK:
		reason = "malformed_account_id"
	case t.AccountID == "" && accountID != "":
		reason = "unknown_account"
	case t.MemberID == "":
		reason = "unknown_email"
	case t.PasswordHash == "":
		reason = "no_password"
	case !ok:
		reason = "wrong_password"
	case t.Status != StatusActive:
		reason = "status_" + string(t.Status)
	}
	if reason != "" {
		return Member{}, s.recordFailure(ctx, keys, audit.Event{
			AccountID: t.AccountID, ActorEmail: email, Action: audit.SignInFailed, Target: t.MemberID,
			Detail: reason, IP: c.IP, CreatedAt: now,
		})
	}

	rehash := s.rehash(ctx, t.PasswordHash, c.Password)
	// The counters this person may have filled: the scope typed, the
	// account itself, and no account ID for an owner.
	clear := []string{emailThrottleKey(memberScope(scope), email), emailThrottleKey(memberScope(t.AccountID), email)}
	if t.Role == RoleOwner {
		clear = append(clear, emailThrottleKey(memberScope(""), email))
	}
	var m memberRow
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.updateMember(ctx, t.MemberID, `last_login_at = ?`, now); err != nil {
			return err
		}
		if rehash != "" {
			if err := s.updateMember(ctx, t.MemberID, `password_hash = ?`, rehash); err != nil {
				return err
			}
		}
		if err := s.clearCounters(ctx, clear...); err != nil {
			return err
		}
		if err := s.trail.Record(ctx, audit.Event{
			AccountID: t.AccountID, ActorID: t.MemberID, ActorEmail: email, Action: audit.SignIn,
			Target: t.MemberID, IP: c.IP, CreatedAt: now,
		}); err != nil {
			return err
		}
		var err error
		m, err = s.memberRow(ctx, t.MemberID)
		return err
	})
	if err != nil {
		return Member{}, fmt.Errorf("account: sign in %s: %w", t.MemberID, err)
	}
	return m.member(), nil
}

// memberScope names the throttling scope of a member sign-in: the account
// ID as typed, or none.
func memberScope(accountID string) string { return "account:" + accountID }

// lookupSignIn finds the account and member a sign-in names, in one query
// whichever the outcome.
func (s *Service) lookupSignIn(ctx context.Context, accountID, email string) (signInTarget, error) {
	var (
		t   signInTarget
		err error
	)
	if accountID == "" {
		err = s.db.GetContext(ctx, &t, s.db.Rebind(`SELECT account_id, id AS member_id, role, status, password_hash
			FROM members WHERE email = ? AND role = 'owner'`), email)
	} else {
		err = s.db.GetContext(ctx, &t, s.db.Rebind(`SELECT a.id AS account_id, COALESCE(m.id, '') AS member_id,
			COALESCE(m.role, '') AS role, COALESCE(m.status, '') AS status, COALESCE(m.password_hash, '') AS password_hash
			FROM accounts a LEFT JOIN members m ON m.account_id = a.id AND m.email = ? WHERE a.id = ?`), email, accountID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return signInTarget{}, nil
	}
	if err != nil {
		return signInTarget{}, fmt.Errorf("account: sign-in lookup: %w", err)
	}
	return t, nil
}

// verify checks password against hash, or against the dummy hash when
// there is no usable one (nobody found, no password yet, a corrupt row),
// so that every path costs one argon2id computation. It reports a match
// only for a real hash.
func (s *Service) verify(ctx context.Context, who, hash, password string) (bool, error) {
	real := hash != ""
	if real {
		if _, err := parsePHC(hash); err != nil {
			s.log.ErrorContext(ctx, "account: stored password hash is malformed", "id", who)
			real = false
		}
	}
	if !real {
		hash = s.dummyHash
	}
	ok, err := s.hasher.Verify(ctx, hash, password)
	if err != nil {
		return false, fmt.Errorf("account: sign in: %w", err)
	}
	return ok && real, nil
}

// rehash returns a new hash of password when hash was made with older
// parameters, or "" (also when hashing fails: the old hash still works).
func (s *Service) rehash(ctx context.Context, hash, password string) string {
	if !s.hasher.NeedsRehash(hash) {
		return ""
	}
	h, err := s.hasher.Hash(ctx, password)
	if err != nil {
		s.log.WarnContext(ctx, "account: rehash password", "err", err)
		return ""
	}
	return h
}

// recordFailure counts a failed sign-in against keys and records e, in
// one transaction whatever the failure, and returns ErrInvalidCredentials
// (or the database error). It runs to completion even when the client
// goes away, so that dropping the connection does not dodge the count.
func (s *Service) recordFailure(ctx context.Context, keys []throttleKey, e audit.Event) error {
	ctx = context.WithoutCancel(ctx)
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.countFailure(ctx, e.CreatedAt, keys); err != nil {
			return err
		}
		return s.trail.Record(ctx, e)
	})
	if err != nil {
		return fmt.Errorf("account: record failed sign-in: %w", err)
	}
	return ErrInvalidCredentials
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// adminScope is the throttling scope of the admin sign-in.
const adminScope = "admin"

// AuthenticateAdmin signs a platform administrator in, with the same
// guarantees as Authenticate: one answer (ErrInvalidCredentials) and one
// cost for every failure, throttling per email and per client address
// before any hashing (ErrThrottled), audit events in the platform's trail.
func (s *Service) AuthenticateAdmin(ctx context.Context, email, password, ip string) (Admin, error) {
	now := s.now()
	e, emailErr := NormalizeEmail(email)
	if emailErr != nil {
		e = truncate(strings.ToLower(strings.TrimSpace(email)), maxEmailLen)
	}
	keys := s.throttle.throttleKeys(adminScope, e, ip)
	if err := s.throttled(ctx, now, keys); err != nil {
		return Admin{}, err
	}
	var r adminRow
	if emailErr == nil {
		err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT id, email, password_hash, created_at FROM admins WHERE email = ?`), e)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Admin{}, fmt.Errorf("account: admin sign-in lookup: %w", err)
		}
	}
	ok, err := s.verify(ctx, r.ID, r.PasswordHash, password)
	if err != nil {
		return Admin{}, err
	}
	if !ok {
		reason := "admin: wrong_password"
		if r.ID == "" {
			reason = "admin: unknown_email"
		}
		return Admin{}, s.recordFailure(ctx, keys, audit.Event{
			ActorEmail: e, Action: audit.SignInFailed, Target: r.ID, Detail: reason, IP: ip, CreatedAt: now,
		})
	}
	rehash := s.rehash(ctx, r.PasswordHash, password)
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if rehash != "" {
			if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE admins SET password_hash = ? WHERE id = ?`), rehash, r.ID); err != nil {
				return err
			}
		}
		if err := s.clearCounters(ctx, emailThrottleKey(adminScope, e)); err != nil {
			return err
		}
		return s.trail.Record(ctx, audit.Event{
			ActorID: r.ID, ActorEmail: e, Action: audit.SignIn, Target: r.ID, Detail: "admin", IP: ip, CreatedAt: now,
		})
	})
	if err != nil {
		return Admin{}, fmt.Errorf("account: admin sign in %s: %w", r.ID, db.Translate(err))
	}
	return r.admin(), nil
}

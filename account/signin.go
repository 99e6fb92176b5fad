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
	// Device is the browser's device cookie, when it holds a valid one;
	// the zero value means none.
	Device Device
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

// typed is what a sign-in names once normalized: the email (bounded and
// lowercased even when malformed) and the scope (the account ID as typed,
// normalized when well-formed).
type typed struct {
	email     string
	emailErr  error
	scope     string
	accountID string
	accountOK bool
}

func (c Credentials) target() typed {
	t := typed{accountOK: true}
	t.email, t.emailErr = NormalizeEmail(c.Email)
	if t.emailErr != nil {
		t.email = normalizeSignInEmail(c.Email)
	}
	t.scope = truncate(strings.ToLower(strings.TrimSpace(c.AccountID)), 64)
	if t.scope != "" {
		if t.accountID, t.accountOK = NormalizeAccountID(t.scope); t.accountOK {
			t.scope = t.accountID
		}
	}
	return t
}

// Authenticate signs a member in. With an account ID it looks for the
// member of that account (owner or login account) with this email;
// without, for the owner with this email. Every failure (malformed email
// or account ID, unknown account, not a member, invited or disabled
// member, wrong password) returns ErrInvalidCredentials after one argon2id
// verification (against a dummy hash when there is no real one) and
// records audit.SignInFailed (in the account's trail when the account
// exists, the platform's otherwise), so that neither the answer nor its
// cost tells them apart.
//
// Before any hashing the attempt is counted, atomically, on the counter
// of the email in this scope (the account ID as typed, or none) — or on
// the device's counter when c.Device vouches for this email and scope —
// and on the client address's: past a limit it returns a *ThrottledError
// at once, whether the email exists or not. An owner signing in with and
// without the account ID uses two counters. Success clears the email's
// counters (or the device's, for a sign-in through a device cookie, which
// leaves the email's to run out) and takes the attempt back from the
// address's counter. The sign-in is not complete yet (a second step may
// follow): RecordSignIn notes it once it is.
func (s *Service) Authenticate(ctx context.Context, c Credentials) (Member, error) {
	now := s.now()
	in := c.target()
	email, accountID := in.email, in.accountID
	scope := memberScope(in.scope)
	keys := s.throttle.throttleKeys(scope, email, c.IP, c.Device.usable())
	admitted, err := s.admit(ctx, now, keys)
	if err != nil {
		return Member{}, err
	}

	var t signInTarget
	if in.emailErr == nil && in.accountOK {
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
	case in.emailErr != nil:
		reason = "malformed_email"
	case !in.accountOK:
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
		return Member{}, s.recordFailure(ctx, audit.Event{
			AccountID: t.AccountID, ActorEmail: email, Action: audit.SignInFailed, Target: t.MemberID,
			Detail: reason, IP: c.IP, CreatedAt: now,
		})
	}

	rehash := s.rehash(ctx, t.PasswordHash, c.Password)
	var clear []string
	for _, k := range keys {
		if isDeviceKey(k.key) {
			clear = append(clear, k.key)
		}
	}
	if len(clear) == 0 {
		// The counters this person may have filled: the scope typed, the
		// account itself, and no account ID for an owner.
		clear = append(clear, emailThrottleKey(scope, email))
		clear = append(clear, memberThrottleKeys(t.AccountID, email, t.Role)...)
	}
	var m memberRow
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if rehash != "" {
			if err := s.updateMember(ctx, t.MemberID, `password_hash = ?`, rehash); err != nil {
				return err
			}
		}
		if err := s.settle(ctx, admitted, clear...); err != nil {
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

// memberThrottleKeys returns the email counters of a member: the sign-in
// with their account's ID and, for an owner, the one without.
func memberThrottleKeys(accountID, email string, role Role) []string {
	keys := []string{emailThrottleKey(memberScope(accountID), email)}
	if role == RoleOwner {
		keys = append(keys, emailThrottleKey(memberScope(""), email))
	}
	return keys
}

// ClearSignInLimits deletes the email counters of a member (the sign-in
// with their account's ID and, for an owner, without), so that someone
// who proved who they are otherwise (a password reset) can sign in at
// once. It joins the transaction ctx carries.
func (s *Service) ClearSignInLimits(ctx context.Context, memberID string) error {
	r, err := s.memberRow(ctx, memberID)
	if err != nil {
		return err
	}
	return s.clearCounters(ctx, memberThrottleKeys(r.AccountID, r.Email, r.Role)...)
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

// recordFailure records e, a failed sign-in already counted, and returns
// ErrInvalidCredentials (or the database error). It runs to completion
// even when the client goes away.
func (s *Service) recordFailure(ctx context.Context, e audit.Event) error {
	if err := s.trail.Record(context.WithoutCancel(ctx), e); err != nil {
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

// AuthenticateAdmin signs a platform administrator in: it is
// AuthenticateAdminFrom without a device cookie.
func (s *Service) AuthenticateAdmin(ctx context.Context, email, password, ip string) (Admin, error) {
	return s.AuthenticateAdminFrom(ctx, Credentials{Email: email, Password: password, IP: ip})
}

// AuthenticateAdminFrom signs a platform administrator in (c.AccountID is
// ignored), with the same guarantees as Authenticate: one answer
// (ErrInvalidCredentials) and one cost for every failure, each attempt
// counted per email (or per device, see Device) and per client address
// before any hashing (*ThrottledError past a limit), failures in the
// platform's trail. The sign-in completes after the second step, which
// every admin passes: RecordSignIn notes it then.
func (s *Service) AuthenticateAdminFrom(ctx context.Context, c Credentials) (Admin, error) {
	now := s.now()
	e, emailErr := NormalizeEmail(c.Email)
	if emailErr != nil {
		e = normalizeSignInEmail(c.Email)
	}
	keys := s.throttle.throttleKeys(adminScope, e, c.IP, c.Device.usable())
	admitted, err := s.admit(ctx, now, keys)
	if err != nil {
		return Admin{}, err
	}
	var r adminRow
	if emailErr == nil {
		err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT id, email, password_hash, created_at FROM admins WHERE email = ?`), e)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Admin{}, fmt.Errorf("account: admin sign-in lookup: %w", err)
		}
	}
	ok, err := s.verify(ctx, r.ID, r.PasswordHash, c.Password)
	if err != nil {
		return Admin{}, err
	}
	if !ok {
		reason := "admin: wrong_password"
		if r.ID == "" {
			reason = "admin: unknown_email"
		}
		return Admin{}, s.recordFailure(ctx, audit.Event{
			ActorEmail: e, Action: audit.SignInFailed, Target: r.ID, Detail: reason, IP: c.IP, CreatedAt: now,
		})
	}
	rehash := s.rehash(ctx, r.PasswordHash, c.Password)
	clear := emailThrottleKey(adminScope, e)
	for _, k := range keys {
		if isDeviceKey(k.key) {
			clear = k.key
		}
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if rehash != "" {
			if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE admins SET password_hash = ? WHERE id = ?`), rehash, r.ID); err != nil {
				return err
			}
		}
		return s.settle(ctx, admitted, clear)
	})
	if err != nil {
		return Admin{}, fmt.Errorf("account: admin sign in %s: %w", r.ID, db.Translate(err))
	}
	return r.admin(), nil
}

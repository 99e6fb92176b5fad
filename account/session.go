package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// Bounds on what a session row keeps of the client.
const (
	maxSessionIP        = 64
	maxSessionUserAgent = 512
)

// Session is a browser session at Sésame, of a member or of an
// administrator (exactly one of MemberID and AdminID is set).
type Session struct {
	// SID is the session's public id: random, unrelated to the cookie, named
	// in ID tokens and in back-channel logout tokens.
	SID      string
	MemberID string
	AdminID  string
	AuthTime time.Time // when the person typed the password
	// MFA is true when the person passed a second step at sign-in.
	MFA bool
	// Methods are how the person proved who they are, in RFC 8176 values
	// (see AMR).
	Methods   []string
	CreatedAt time.Time
	ExpiresAt time.Time
	// LastUsedAt is when the session was last used, to the minute.
	LastUsedAt time.Time
}

// sessionTouchEvery is how stale the last use of a session may be before
// it is written again: at most one write a minute per session.
const sessionTouchEvery = time.Minute

// CreateSession opens a session for exactly one of memberID and adminID,
// expiring after Options.SessionTTL. rawID is the value for the cookie: a
// random 256-bit id of which only the SHA-256 is stored, so that a copy of
// the database opens no session. Call it at every sign-in: a new id each
// time is what defeats session fixation.
func (s *Service) CreateSession(ctx context.Context, memberID, adminID, ip, userAgent string) (string, Session, error) {
	return s.CreateSessionMFA(ctx, memberID, adminID, ip, userAgent, "")
}

// AMR returns how the person of the session proved who they are, in RFC
// 8176 values: ["pwd"], or after a second step ["pwd", second, "mfa"]
// where second is "otp" (a code), "hwk" or "swk" (a passkey).
func (s Session) AMR() []string {
	if len(s.Methods) > 0 {
		return s.Methods
	}
	return []string{AMRPassword}
}

// methods returns the RFC 8176 values of a sign-in by password followed,
// unless second is "", by a second factor of method second.
func methods(second string) []string {
	if second == "" {
		return []string{AMRPassword}
	}
	return []string{AMRPassword, second, AMRMFA}
}

// CreateSessionMFA is CreateSession for a sign-in that passed a second
// step by method second (AMROTP, AMRHardwareKey or AMRSoftwareKey); ""
// means none.
func (s *Service) CreateSessionMFA(ctx context.Context, memberID, adminID, ip, userAgent, second string) (string, Session, error) {
	if (memberID == "") == (adminID == "") {
		return "", Session{}, errors.New("account: create session: exactly one of member and admin must be given")
	}
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather)
	raw := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	sess := Session{SID: newSID(), MemberID: memberID, AdminID: adminID, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL), LastUsedAt: now,
		MFA: second != "", Methods: methods(second)}
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO browser_sessions
		(id_hash, sid, member_id, admin_id, auth_time, created_at, expires_at, ip, user_agent, amr, last_used_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		sessionHash(raw), sess.SID, nullable(memberID), nullable(adminID), sess.AuthTime, sess.CreatedAt, sess.ExpiresAt,
		truncate(ip, maxSessionIP), truncate(userAgent, maxSessionUserAgent), strings.Join(sess.AMR(), " "), sess.LastUsedAt)
	if err != nil {
		return "", Session{}, fmt.Errorf("account: create session: %w", db.Translate(err))
	}
	return raw, sess, nil
}

// Session returns the session whose cookie value is rawID, and notes its
// use (written at most once a minute). It returns ErrNotFound when the
// session is unknown, expired or idle for longer than
// Options.SessionIdle, or belongs to a member who is no longer active.
func (s *Service) Session(ctx context.Context, rawID string) (Session, error) {
	if rawID == "" {
		return Session{}, fmt.Errorf("account: session: %w", ErrNotFound)
	}
	var r struct {
		SID          sql.NullString `db:"sid"`
		MemberID     sql.NullString `db:"member_id"`
		AdminID      sql.NullString `db:"admin_id"`
		AuthTime     time.Time      `db:"auth_time"`
		CreatedAt    time.Time      `db:"created_at"`
		ExpiresAt    time.Time      `db:"expires_at"`
		MemberStatus sql.NullString `db:"member_status"`
		AMR          string         `db:"amr"`
		LastUsedAt   sql.NullTime   `db:"last_used_at"`
	}
	now := s.now()
	err := s.db.GetContext(ctx, &r, s.db.Rebind(`SELECT s.sid, s.member_id, s.admin_id, s.auth_time, s.created_at, s.expires_at,
		s.amr, s.last_used_at, m.status AS member_status
		FROM browser_sessions s LEFT JOIN members m ON m.id = s.member_id
		WHERE s.id_hash = ? AND s.expires_at > ? AND (s.last_used_at IS NULL OR s.last_used_at > ?)`),
		sessionHash(rawID), now, now.Add(-s.sessionIdle))
	if err != nil {
		return Session{}, fmt.Errorf("account: session: %w", db.Translate(err))
	}
	if r.MemberID.Valid && r.MemberStatus.String != string(StatusActive) {
		return Session{}, fmt.Errorf("account: session of %s: member not active: %w", r.MemberID.String, ErrNotFound)
	}
	used := r.CreatedAt.UTC()
	if r.LastUsedAt.Valid {
		used = r.LastUsedAt.Time.UTC()
	}
	if now.Sub(used) >= sessionTouchEvery {
		// The condition keeps concurrent requests to one write.
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE browser_sessions SET last_used_at = ?
			WHERE id_hash = ? AND (last_used_at IS NULL OR last_used_at < ?)`), now, sessionHash(rawID), now.Add(-sessionTouchEvery)); err != nil {
			return Session{}, fmt.Errorf("account: note the use of a session: %w", db.Translate(err))
		}
		used = now.UTC()
	}
	return Session{
		LastUsedAt: used,
		SID:        r.SID.String, MemberID: r.MemberID.String, AdminID: r.AdminID.String,
		AuthTime: r.AuthTime.UTC(), CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		MFA: slices.Contains(strings.Fields(r.AMR), AMRMFA), Methods: strings.Fields(r.AMR),
	}, nil
}

// ProveSecondFactor records in the session whose cookie value is rawID
// that its person has just proved a second factor by method (an RFC 8176
// value): an enrolment confirmed from this session. From then on the
// session counts as one that passed a second step.
func (s *Service) ProveSecondFactor(ctx context.Context, rawID, method string) error {
	if method == "" {
		return errors.New("account: prove a second factor: no method")
	}
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE browser_sessions SET amr = ? WHERE id_hash = ?`),
		strings.Join(methods(method), " "), sessionHash(rawID))
	if err != nil {
		return fmt.Errorf("account: prove a second factor: %w", db.Translate(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("account: prove a second factor: %w", ErrNotFound)
	}
	return nil
}

// DeleteSession ends the session whose cookie value is rawID; it returns
// ErrNotFound when there is none. The products the session signed into
// hear of it (Options.Sessions) in the same transaction.
func (s *Service) DeleteSession(ctx context.Context, rawID string) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		return s.endSessions(ctx, `id_hash = ?`, sessionHash(rawID))
	})
	if err != nil {
		return fmt.Errorf("account: delete session: %w", err)
	}
	return nil
}

// DeleteMemberSessions ends every session of memberID, in the transaction
// ctx carries. It tells nobody: the caller (a login account disabled,
// deleted or its password reset) signs the person out of the products as a
// whole.
func (s *Service) DeleteMemberSessions(ctx context.Context, memberID string) error {
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM browser_sessions WHERE member_id = ?`), memberID); err != nil {
		return fmt.Errorf("account: delete sessions of %s: %w", memberID, err)
	}
	return nil
}

// PurgeExpired deletes throttle counters whose window has closed. Run it
// now and then; correctness never depends on it. Timed-out sessions are
// the periodic sweep's (EndTimedOutSessions).
func (s *Service) PurgeExpired(ctx context.Context) error {
	now := s.now()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM login_throttle WHERE window_start <= ?`), now.Add(-s.throttle.Window)); err != nil {
		return fmt.Errorf("account: purge throttle: %w", err)
	}
	return nil
}

// sessionHash is what the database keeps of a session id.
func sessionHash(rawID string) string {
	sum := sha256.Sum256([]byte(rawID))
	return hex.EncodeToString(sum[:])
}

// nullable maps "" to NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

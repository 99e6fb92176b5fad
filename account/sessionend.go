package account

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
)

// EndedSession is a member's browser session that has just ended, and the
// clients it signed into.
type EndedSession struct {
	MemberID string
	SID      string
	Clients  []string
}

// SessionListener is told of the sessions that end, in the transaction
// that ends them; an error rolls the ending back. Package events
// implements it (back-channel logout); account does not import it.
type SessionListener interface {
	SessionEnded(ctx context.Context, e EndedSession) error
}

// newSID returns a public session id: 128 random bits, base64url.
func newSID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// endSessions deletes the sessions matching where (a condition on
// browser_sessions) and tells the listener of each member session it
// deleted and of the clients it signed into. It returns ErrNotFound when
// none matched. Run it in a transaction.
//
// A session is told of only by the transaction whose DELETE removed it:
// when two instances end the same session at once (the sweep of timed-out
// sessions runs in each), one tells and the other finds nothing. On
// PostgreSQL the rows are locked as they are read, so that the clients
// read are all there is (a client is recorded under a key lock of the
// session); SQLite has one writer at a time.
func (s *Service) endSessions(ctx context.Context, where string, args ...any) error {
	return s.endSessionsLocking(ctx, " FOR UPDATE", where, args...)
}

// endSessionsSkipLocked is endSessions leaving out, on PostgreSQL, the
// rows that another transaction has locked instead of waiting for them:
// the sweep of timed-out sessions, run by every instance on the same rows,
// leaves each session to the first instance that locks it.
func (s *Service) endSessionsSkipLocked(ctx context.Context, where string, args ...any) error {
	return s.endSessionsLocking(ctx, " FOR UPDATE SKIP LOCKED", where, args...)
}

// endSessionsLocking is endSessions with lock as the locking clause of its
// SELECT on PostgreSQL.
func (s *Service) endSessionsLocking(ctx context.Context, lock, where string, args ...any) error {
	if s.db.Dialect != db.Postgres {
		lock = ""
	}
	var rows []struct {
		IDHash   string         `db:"id_hash"`
		SID      sql.NullString `db:"sid"`
		MemberID sql.NullString `db:"member_id"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT id_hash, sid, member_id FROM browser_sessions WHERE `+where+lock), args...); err != nil {
		return err
	}
	ended := 0
	for _, r := range rows {
		tell := r.MemberID.Valid && r.SID.Valid && s.sessions != nil
		var clients []string
		if tell {
			// Read before the DELETE, which cascades to session_clients.
			if err := s.db.SelectContext(ctx, &clients, s.db.Rebind(`SELECT client_id FROM session_clients WHERE sid = ? ORDER BY client_id`), r.SID.String); err != nil {
				return err
			}
		}
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM browser_sessions WHERE id_hash = ?`), r.IDHash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			continue // ended meanwhile by another transaction, which tells
		}
		ended++
		if tell {
			if err := s.sessions.SessionEnded(ctx, EndedSession{MemberID: r.MemberID.String, SID: r.SID.String, Clients: clients}); err != nil {
				return err
			}
		}
	}
	if ended == 0 {
		return ErrNotFound
	}
	return nil
}

// RecordSessionClient notes that the session sid of memberID signed into
// clientID (an authorization code is being issued for it), so that the
// client hears of the session's end. Recording it twice is harmless.
func (s *Service) RecordSessionClient(ctx context.Context, sid, memberID, clientID string) error {
	if sid == "" {
		return nil
	}
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO session_clients (sid, client_id, member_id, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`), sid, clientID, memberID, s.now())
	if err != nil {
		return fmt.Errorf("account: record client %s of session: %w", clientID, db.Translate(err))
	}
	return nil
}

// SessionClients returns the clients that the live sessions of memberID
// signed into, each once.
func (s *Service) SessionClients(ctx context.Context, memberID string) ([]string, error) {
	var clients []string
	err := s.db.SelectContext(ctx, &clients, s.db.Rebind(`SELECT DISTINCT c.client_id FROM session_clients c
		JOIN browser_sessions b ON b.sid = c.sid
		WHERE c.member_id = ? AND b.expires_at > ? ORDER BY c.client_id`), memberID, s.now())
	if err != nil {
		return nil, fmt.Errorf("account: clients of the sessions of %s: %w", memberID, err)
	}
	return clients, nil
}

// LockMemberSessions holds the browser sessions of memberID until ctx's
// transaction ends. A session recording a client (session_clients refers
// to it) waits meanwhile, so the clients read after this call are all the
// clients there will be until the sessions end in the same transaction.
// SQLite transactions already run one at a time.
func (s *Service) LockMemberSessions(ctx context.Context, memberID string) error {
	if !s.db.InTransaction(ctx) {
		return fmt.Errorf("account: lock the sessions of %s: no transaction in context", memberID)
	}
	if s.db.Dialect != db.Postgres {
		return nil
	}
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`SELECT id_hash FROM browser_sessions WHERE member_id = ? FOR UPDATE`), memberID); err != nil {
		return fmt.Errorf("account: lock the sessions of %s: %w", memberID, err)
	}
	return nil
}

// MemberSession is a live browser session as the admin pages list it.
type MemberSession struct {
	SID       string    `db:"sid" json:"sid"`
	AuthTime  time.Time `db:"auth_time" json:"auth_time"`
	ExpiresAt time.Time `db:"expires_at" json:"expires_at"`
	// LastUsedAt is when the session was last used, to the minute.
	LastUsedAt time.Time    `db:"-" json:"last_used_at"`
	LastUsed   sql.NullTime `db:"last_used_at" json:"-"`
	CreatedAt  time.Time    `db:"created_at" json:"-"`
	IP         string       `db:"ip" json:"ip"`
	UserAgent  string       `db:"user_agent" json:"user_agent"`
	Clients    []string     `db:"-" json:"clients"`
}

// MemberSessions returns the live sessions of memberID, newest first, with
// the clients each signed into.
func (s *Service) MemberSessions(ctx context.Context, memberID string) ([]MemberSession, error) {
	list := []MemberSession{}
	now := s.now()
	err := s.db.SelectContext(ctx, &list, s.db.Rebind(`SELECT sid, auth_time, expires_at, ip, user_agent, last_used_at, created_at
		FROM browser_sessions WHERE member_id = ? AND expires_at > ? AND (last_used_at IS NULL OR last_used_at > ?) AND sid IS NOT NULL
		ORDER BY created_at DESC`), memberID, now, now.Add(-s.sessionIdle))
	if err != nil {
		return nil, fmt.Errorf("account: sessions of %s: %w", memberID, err)
	}
	for i := range list {
		list[i].AuthTime, list[i].ExpiresAt = list[i].AuthTime.UTC(), list[i].ExpiresAt.UTC()
		list[i].LastUsedAt = list[i].CreatedAt.UTC()
		if list[i].LastUsed.Valid {
			list[i].LastUsedAt = list[i].LastUsed.Time.UTC()
		}
		list[i].Clients = []string{}
		if err := s.db.SelectContext(ctx, &list[i].Clients, s.db.Rebind(`SELECT client_id FROM session_clients WHERE sid = ? ORDER BY client_id`), list[i].SID); err != nil {
			return nil, fmt.Errorf("account: clients of a session of %s: %w", memberID, err)
		}
	}
	return list, nil
}

// EndMemberSession ends the session sid of memberID (an administrator's
// decision) and records e in the trail, in one transaction; the clients
// the session signed into hear of it. It returns ErrNotFound when memberID
// has no such session.
func (s *Service) EndMemberSession(ctx context.Context, memberID, sid string, e audit.Event) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.endSessions(ctx, `member_id = ? AND sid = ?`, memberID, sid); err != nil {
			return err
		}
		return s.trail.Record(ctx, e)
	})
	if err != nil {
		return fmt.Errorf("account: end a session of %s: %w", memberID, err)
	}
	return nil
}

// EndOtherMemberSessions ends every session of memberID but keepSID (the
// person's own decision, from the session kept) and records e in the
// trail, in one transaction; the clients each session signed into hear of
// it. It returns ErrNotFound when there was no other session.
func (s *Service) EndOtherMemberSessions(ctx context.Context, memberID, keepSID string, e audit.Event) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.endSessions(ctx, `member_id = ? AND sid IS NOT NULL AND sid <> ?`, memberID, keepSID); err != nil {
			return err
		}
		return s.trail.Record(ctx, e)
	})
	if err != nil {
		return fmt.Errorf("account: end the other sessions of %s: %w", memberID, err)
	}
	return nil
}

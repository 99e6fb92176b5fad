package account

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesame-idp/sesame/audit"
)

// RecordSignIn notes a complete sign-in of exactly one of memberID and
// adminID from ip: the password, and the second step when one was asked.
// A member's last_login_at is set and audit.SignIn recorded (in the
// account's trail, or the platform's for an admin), in one transaction.
// Call it where the browser session is opened, not after the password
// alone: a person who never passes the second step has not signed in.
func (s *Service) RecordSignIn(ctx context.Context, memberID, adminID, ip string) error {
	if (memberID == "") == (adminID == "") {
		return errors.New("account: record sign-in: exactly one of member and admin must be given")
	}
	now := s.now()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if adminID != "" {
			a, err := s.Admin(ctx, adminID)
			if err != nil {
				return err
			}
			return s.trail.Record(ctx, audit.Event{
				ActorID: adminID, ActorEmail: a.Email, Action: audit.SignIn, Target: adminID, Detail: "admin", IP: ip, CreatedAt: now,
			})
		}
		if err := s.updateMember(ctx, memberID, `last_login_at = ?`, now); err != nil {
			return err
		}
		m, err := s.memberRow(ctx, memberID)
		if err != nil {
			return err
		}
		return s.trail.Record(ctx, audit.Event{
			AccountID: m.AccountID, ActorID: memberID, ActorEmail: m.Email, Action: audit.SignIn,
			Target: memberID, IP: ip, CreatedAt: now,
		})
	})
	if err != nil {
		return fmt.Errorf("account: record the sign-in of %s%s: %w", memberID, adminID, err)
	}
	return nil
}

// OpenSession completes a sign-in in one transaction: it ends the
// browser's previous session (oldRaw, its cookie value; "" for none), opens
// a new one (CreateSessionMFA, second step by method, "" for none) and
// records the sign-in (RecordSignIn). All of it happens, or none: a
// failure leaves the previous session as it was and no orphan session.
func (s *Service) OpenSession(ctx context.Context, oldRaw, memberID, adminID, ip, userAgent, method string) (string, Session, error) {
	var raw string
	var sess Session
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if oldRaw != "" {
			if err := s.DeleteSession(ctx, oldRaw); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		var err error
		if raw, sess, err = s.CreateSessionMFA(ctx, memberID, adminID, ip, userAgent, method); err != nil {
			return err
		}
		return s.RecordSignIn(ctx, memberID, adminID, ip)
	})
	if err != nil {
		return "", Session{}, err
	}
	return raw, sess, nil
}

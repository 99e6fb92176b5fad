package members

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/mail"
)

// Password resets: a person who forgot their password asks for a link by
// email; the link lets them choose a new one once.
const (
	resetTTL = time.Hour
	// resetsPerHour bounds the links one person can be sent an hour, so
	// that the form cannot be used to flood a mailbox.
	resetsPerHour = 3
)

// ResetRequest is what the "forgotten password" form holds.
type ResetRequest struct {
	Email     string
	AccountID string // as typed; empty: every account where the email may reset
	Lang      string
	IP        string
}

// resetPeople finds the people a request names: the active person with
// the email in AccountID, or, when it is empty, every active person with
// the email (the owner of one account, login accounts of others). None
// when nobody matches.
func (s *Service) resetPeople(ctx context.Context, r ResetRequest) ([]account.Member, error) {
	if _, err := account.NormalizeEmail(r.Email); err != nil {
		return nil, nil
	}
	if r.AccountID == "" {
		return s.accounts.ActiveMembersByEmail(ctx, r.Email)
	}
	id, ok := account.NormalizeAccountID(r.AccountID)
	if !ok {
		return nil, nil
	}
	m, err := s.accounts.MemberByEmail(ctx, id, r.Email)
	if errors.Is(err, account.ErrNotFound) || (err == nil && m.Status != account.StatusActive) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []account.Member{m}, nil
}

// sendResetLinks writes a reset link for each person of people (one email
// address) who was sent fewer than resetsPerHour links in the last hour,
// queues one mail listing those links, and records each request, in the
// transaction ctx carries (or its own); done runs in it too.
func (s *Service) sendResetLinks(ctx context.Context, people []account.Member, r ResetRequest, done func(ctx context.Context) error) error {
	now := s.clock()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var links []mail.ResetLink
		for _, m := range people {
			link, err := s.resetLink(ctx, m, r, now)
			if err != nil {
				return err
			}
			if link != nil {
				links = append(links, *link)
			}
		}
		if len(links) > 0 {
			msg, err := mail.RenderPasswordReset(mail.PasswordReset{
				Lang: normalizeLang(r.Lang), Links: links, ExpiresAt: now.Add(resetTTL), Zone: s.zone, Brand: s.brand,
			}, people[0].Email)
			if err != nil {
				return err
			}
			if _, err := s.outbox.Enqueue(ctx, msg); err != nil {
				return err
			}
		}
		return done(ctx)
	})
	if err != nil {
		return fmt.Errorf("members: password reset for %s: %w", people[0].Email, err)
	}
	return nil
}

// resetLink writes a reset link for m and records the request, unless m
// was sent resetsPerHour links in the last hour (then nil).
func (s *Service) resetLink(ctx context.Context, m account.Member, r ResetRequest, now time.Time) (*mail.ResetLink, error) {
	// Lock the person's row so that concurrent requests count each other
	// (SQLite transactions are serial already).
	if err := s.accounts.LockMember(ctx, m.ID); err != nil {
		return nil, err
	}
	var recent int
	if err := s.db.GetContext(ctx, &recent, s.db.Rebind(`SELECT COUNT(*) FROM password_resets WHERE member_id = ? AND created_at > ?`),
		m.ID, now.Add(-time.Hour)); err != nil {
		return nil, err
	}
	if recent >= resetsPerHour {
		return nil, nil
	}
	token, hash := newToken()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO password_resets (token_hash, member_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
		hash, m.ID, now, now.Add(resetTTL)); err != nil {
		return nil, err
	}
	if err := s.trail.Record(ctx, audit.Event{AccountID: m.AccountID, ActorEmail: m.Email, Action: audit.PasswordResetAsked, Target: m.ID, IP: r.IP}); err != nil {
		return nil, err
	}
	link := &mail.ResetLink{AccountID: m.AccountID, Link: s.issuer + "/password-reset/" + url.PathEscape(token)}
	if acct, err := s.accounts.Account(ctx, m.AccountID); err == nil {
		link.AccountName = acct.Name
	} else if !errors.Is(err, account.ErrNotFound) {
		return nil, err
	}
	return link, nil
}

// resetTarget returns the person behind a live reset link.
func (s *Service) resetTarget(ctx context.Context, token string) (account.Member, error) {
	if token == "" || len(token) > 128 {
		return account.Member{}, ErrLinkInvalid
	}
	var memberID string
	err := s.db.GetContext(ctx, &memberID, s.db.Rebind(`SELECT member_id FROM password_resets
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), hashToken(token), s.clock())
	if errors.Is(db.Translate(err), db.ErrNotFound) {
		return account.Member{}, ErrLinkInvalid
	}
	if err != nil {
		return account.Member{}, err
	}
	m, err := s.accounts.Member(ctx, memberID)
	if err != nil || m.Status != account.StatusActive {
		return account.Member{}, ErrLinkInvalid
	}
	return m, nil
}

// ResetLinkValid reports whether token is a live reset link.
func (s *Service) ResetLinkValid(ctx context.Context, token string) error {
	_, err := s.resetTarget(ctx, token)
	return err
}

// ResetPassword sets a new password through a reset link, once. Every
// session of the person ends and their tokens are revoked: whoever knew
// the old password is out. The sign-in counters of the person's email are
// cleared: someone who locked them out by guessing cannot keep them out.
func (s *Service) ResetPassword(ctx context.Context, token, password, confirm, ip string) (account.Member, error) {
	m, err := s.resetTarget(ctx, token)
	if err != nil {
		return account.Member{}, err
	}
	if fails := account.CheckNewPassword(password, confirm, m.Email, m.Name, m.AccountID); len(fails) > 0 {
		return account.Member{}, &account.PolicyError{Failures: fails}
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return account.Member{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.clock()
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE password_resets SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), now, hashToken(token), now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLinkInvalid
		}
		// The other links of the person die with this one.
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE password_resets SET used_at = ? WHERE member_id = ? AND used_at IS NULL`), now, m.ID); err != nil {
			return err
		}
		if err := s.signOutEverywhere(ctx, m.ID); err != nil {
			return err
		}
		if err := s.accounts.SetMemberPassword(ctx, m.ID, hash); err != nil {
			return err
		}
		if err := s.accounts.DeleteMemberSessions(ctx, m.ID); err != nil {
			return err
		}
		if err := s.accounts.ClearSignInLimits(ctx, m.ID); err != nil {
			return err
		}
		if err := s.revokeTokens(ctx, m.ID); err != nil {
			return err
		}
		if err := s.trail.Record(ctx, audit.Event{AccountID: m.AccountID, ActorID: m.ID, ActorEmail: m.Email, Action: audit.PasswordReset, Target: m.ID, IP: ip}); err != nil {
			return err
		}
		return s.accounts.Notify(ctx, account.Notice{Kind: account.NoticePasswordReset, PersonID: m.ID, Email: m.Email,
			AccountID: m.AccountID, Owner: m.Role == account.RoleOwner, IP: ip})
	})
	if err != nil {
		return account.Member{}, fmt.Errorf("members: reset password of %s: %w", m.ID, err)
	}
	return m, nil
}

// PurgeResets deletes the reset links that expired before cutoff.
func (s *Service) PurgeResets(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM password_resets WHERE expires_at < ?`), cutoff.UTC())
	if err != nil {
		return 0, fmt.Errorf("members: purge reset links: %w", err)
	}
	return res.RowsAffected()
}

package members

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/rights"
)

// Invitation statuses. An invitation is stored pending; Status reports
// expired for a pending one past its expiry.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationRevoked  = "revoked"
	InvitationExpired  = "expired"
)

// Invitation is an offer to become a login account of an account.
type Invitation struct {
	ID             string       `db:"id" json:"id"`
	AccountID      string       `db:"account_id" json:"account_id"`
	Email          string       `db:"email" json:"email"`
	Grants         []rbac.Grant `db:"-" json:"rights"`
	RightsJSON     string       `db:"rights" json:"-"`
	Status         string       `db:"status" json:"status"`
	Lang           string       `db:"lang" json:"lang"`
	InvitedBy      string       `db:"invited_by" json:"invited_by"`
	InvitedByEmail string       `db:"invited_by_email" json:"invited_by_email"`
	MemberID       *string      `db:"member_id" json:"member_id,omitempty"`
	MailID         *int64       `db:"mail_id" json:"-"`
	CreatedAt      time.Time    `db:"created_at" json:"created_at"`
	SentAt         time.Time    `db:"sent_at" json:"sent_at"`
	ExpiresAt      time.Time    `db:"expires_at" json:"expires_at"`
	AcceptedAt     *time.Time   `db:"accepted_at" json:"accepted_at,omitempty"`
	RevokedAt      *time.Time   `db:"revoked_at" json:"revoked_at,omitempty"`
}

const invitationColumns = `id, account_id, email, rights, status, lang, invited_by, invited_by_email,
	member_id, mail_id, created_at, sent_at, expires_at, accepted_at, revoked_at`

// Rights returns the granted rights as strings.
func (inv Invitation) Rights() []string {
	out := make([]string, len(inv.Grants))
	for i, g := range inv.Grants {
		out[i] = g.Right
	}
	return out
}

func (s *Service) finish(inv *Invitation) error {
	if err := json.Unmarshal([]byte(inv.RightsJSON), &inv.Grants); err != nil {
		return fmt.Errorf("members: invitation %s rights: %w", inv.ID, err)
	}
	if inv.Status == InvitationPending && !s.clock().Before(inv.ExpiresAt) {
		inv.Status = InvitationExpired
	}
	return nil
}

// InviteRequest is what the owner fills in.
type InviteRequest struct {
	AccountID string
	Email     string
	Grants    []rbac.Grant
	Lang      string // of the email: "fr" or "en"
}

// Invite records an invitation and queues its email in the same
// transaction; the mail worker delivers it (retrying while SMTP is down).
func (s *Service) Invite(ctx context.Context, a Actor, req InviteRequest) (Invitation, error) {
	if err := s.authorize(a, req.AccountID); err != nil {
		return Invitation{}, err
	}
	email, err := account.NormalizeEmail(req.Email)
	if err != nil {
		return Invitation{}, invalid("email", err)
	}
	grants, err := s.checkGrants(a, req.Grants)
	if err != nil {
		return Invitation{}, err
	}
	rightsJSON, _ := json.Marshal(grants)
	acct, err := s.accounts.Account(ctx, req.AccountID)
	if err != nil {
		return Invitation{}, translate(err)
	}
	now := s.clock()
	token, hash := newToken()
	inv := Invitation{
		ID: newID("inv_"), AccountID: acct.ID, Email: email, Grants: grants, RightsJSON: string(rightsJSON),
		Status: InvitationPending, Lang: normalizeLang(req.Lang), InvitedBy: a.MemberID, InvitedByEmail: a.Email,
		CreatedAt: now, SentAt: now, ExpiresAt: now.Add(s.ttl),
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.accounts.MemberByEmail(ctx, acct.ID, email); err == nil {
			return ErrAlreadyMember
		} else if !errors.Is(err, account.ErrNotFound) {
			return err
		}
		if err := s.checkQuota(ctx, acct.ID, now); err != nil {
			return err
		}
		// A pending invitation past its expiry no longer blocks a new one.
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE invitations SET status = 'expired'
			WHERE account_id = ? AND email = ? AND status = 'pending' AND expires_at <= ?`), acct.ID, email, now); err != nil {
			return err
		}
		_, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO invitations
			(id, account_id, email, rights, token_hash, status, lang, invited_by, invited_by_email, created_at, sent_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			inv.ID, inv.AccountID, inv.Email, inv.RightsJSON, hash, inv.Status, inv.Lang, inv.InvitedBy, inv.InvitedByEmail,
			inv.CreatedAt, inv.SentAt, inv.ExpiresAt)
		if db.IsUniqueViolation(err) {
			return ErrAlreadyInvited
		} else if err != nil {
			return err
		}
		if err := s.queueMail(ctx, &inv, acct, token); err != nil {
			return err
		}
		if err := s.recordSend(ctx, inv); err != nil {
			return err
		}
		return s.trail.Record(ctx, audit.Event{AccountID: acct.ID, ActorID: a.MemberID, ActorEmail: a.Email,
			Action: audit.MemberInvited, Target: email, Detail: string(rightsJSON), IP: a.IP})
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("members: invite %s: %w", email, err)
	}
	return inv, nil
}

// queueMail renders the invitation email with its link and writes it to
// the outbox in tx.
func (s *Service) queueMail(ctx context.Context, inv *Invitation, acct account.Account, token string) error {
	inviter, err := s.inviter(ctx, *inv)
	if err != nil {
		return err
	}
	msg, err := mail.RenderInvitation(mail.Invitation{
		Lang: inv.Lang, AccountID: acct.ID, AccountName: acct.Name, InviterEmail: inviter,
		Link: s.Link(token), ExpiresAt: inv.ExpiresAt, Zone: s.zone, Brand: s.brand,
	}, inv.Email)
	if err != nil {
		return err
	}
	id, err := s.outbox.Enqueue(ctx, msg)
	if err != nil {
		return err
	}
	inv.MailID = &id
	_, err = s.db.ExecContext(ctx, s.db.Rebind(`UPDATE invitations SET mail_id = ? WHERE id = ?`), id, inv.ID)
	return err
}

// inviter is the address the email names as the inviter: the member who
// invited, or the account's owner for an invitation made by the operator.
func (s *Service) inviter(ctx context.Context, inv Invitation) (string, error) {
	if inv.InvitedBy != "" {
		return inv.InvitedByEmail, nil
	}
	ms, err := s.accounts.Members(ctx, inv.AccountID)
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		if m.Role == account.RoleOwner {
			return m.Email, nil
		}
	}
	return "", fmt.Errorf("members: account %s has no owner", inv.AccountID)
}

// Link is the absolute URL of the set-password page for token.
func (s *Service) Link(token string) string {
	return s.issuer + "/invitation/" + url.PathEscape(token)
}

// Resend sends a pending invitation again with a new link and a new
// expiry; the old link dies. Each resend counts against the hourly quota,
// and one invitation is sent at most once per ResendCooldown
// (ErrResendTooSoon).
func (s *Service) Resend(ctx context.Context, a Actor, accountID, id, lang string) (Invitation, error) {
	if err := s.authorize(a, accountID); err != nil {
		return Invitation{}, err
	}
	acct, err := s.accounts.Account(ctx, accountID)
	if err != nil {
		return Invitation{}, translate(err)
	}
	var inv Invitation
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		// Resends of one account run one at a time from here, so that two
		// clicks cannot both find the invitation past its cooldown.
		if err := s.accounts.LockAccount(ctx, accountID); err != nil {
			return translate(err)
		}
		var err error
		if inv, err = s.getInvitation(ctx, accountID, id); err != nil {
			return err
		}
		if inv.Status != InvitationPending && inv.Status != InvitationExpired {
			return ErrLinkInvalid
		}
		if err := s.checkResendable(a, inv); err != nil {
			return err
		}
		// An old invitation of someone who joined through a newer one.
		if _, err := s.accounts.MemberByEmail(ctx, accountID, inv.Email); err == nil {
			return ErrAlreadyMember
		} else if !errors.Is(err, account.ErrNotFound) {
			return err
		}
		if lang != "" {
			inv.Lang = normalizeLang(lang)
		}
		now := s.clock()
		if now.Sub(inv.SentAt) < ResendCooldown {
			return ErrResendTooSoon
		}
		if err := s.checkQuota(ctx, accountID, now); err != nil {
			return err
		}
		token, hash := newToken()
		inv.Status, inv.SentAt, inv.ExpiresAt = InvitationPending, now, now.Add(s.ttl)
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE invitations SET token_hash = ?, status = 'pending', lang = ?, sent_at = ?, expires_at = ?
			WHERE id = ? AND status IN ('pending', 'expired')`), hash, inv.Lang, inv.SentAt, inv.ExpiresAt, inv.ID)
		if db.IsUniqueViolation(err) {
			// A newer invitation of the same person is pending.
			return ErrAlreadyInvited
		} else if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLinkInvalid
		}
		if err := s.queueMail(ctx, &inv, acct, token); err != nil {
			return err
		}
		if err := s.recordSend(ctx, inv); err != nil {
			return err
		}
		return s.trail.Record(ctx, audit.Event{AccountID: accountID, ActorID: a.MemberID, ActorEmail: a.Email,
			Action: audit.InvitationResent, Target: inv.Email, IP: a.IP})
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("members: resend %s: %w", id, err)
	}
	return inv, nil
}

// checkResendable stops a delegated manager from re-sending an invitation
// that grants more than it holds, or for longer.
func (s *Service) checkResendable(a Actor, inv Invitation) error {
	now := s.clock()
	for _, g := range rights.Live(inv.Grants, now) {
		if !a.MayGrant(g, now) {
			return ErrForbidden
		}
	}
	return nil
}

// Revoke cancels a pending invitation; its link dies.
func (s *Service) Revoke(ctx context.Context, a Actor, accountID, id string) error {
	if err := s.authorize(a, accountID); err != nil {
		return err
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		inv, err := s.getInvitation(ctx, accountID, id)
		if err != nil {
			return err
		}
		if err := s.checkResendable(a, inv); err != nil {
			return err
		}
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE invitations SET status = 'revoked', revoked_at = ?
			WHERE id = ? AND status IN ('pending', 'expired')`), s.clock(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrLinkInvalid
		}
		return s.trail.Record(ctx, audit.Event{AccountID: accountID, ActorID: a.MemberID, ActorEmail: a.Email,
			Action: audit.InvitationRevoked, Target: inv.Email, IP: a.IP})
	})
	if err != nil {
		return fmt.Errorf("members: revoke %s: %w", id, err)
	}
	return nil
}

// Invitations lists the account's invitations, newest first.
func (s *Service) Invitations(ctx context.Context, a Actor, accountID string) ([]Invitation, error) {
	if err := s.authorize(a, accountID); err != nil {
		return nil, err
	}
	var list []Invitation
	err := s.db.SelectContext(ctx, &list, s.db.Rebind(`SELECT `+invitationColumns+` FROM invitations
		WHERE account_id = ? ORDER BY created_at DESC`), accountID)
	if err != nil {
		return nil, fmt.Errorf("members: invitations of %s: %w", accountID, err)
	}
	for i := range list {
		if err := s.finish(&list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// Invitation returns one invitation of the account.
func (s *Service) Invitation(ctx context.Context, a Actor, accountID, id string) (Invitation, error) {
	if err := s.authorize(a, accountID); err != nil {
		return Invitation{}, err
	}
	return s.getInvitation(ctx, accountID, id)
}

func (s *Service) getInvitation(ctx context.Context, accountID, id string) (Invitation, error) {
	var inv Invitation
	err := s.db.GetContext(ctx, &inv, s.db.Rebind(`SELECT `+invitationColumns+` FROM invitations WHERE id = ? AND account_id = ?`), id, accountID)
	if err != nil {
		return Invitation{}, translate(err)
	}
	return inv, s.finish(&inv)
}

func translate(err error) error {
	if errors.Is(db.Translate(err), db.ErrNotFound) || errors.Is(err, account.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// normalizeLang is the language of a mail asked for as l ("en", "en-GB"…):
// one of i18n's, French by default.
func normalizeLang(l string) string {
	lang, _ := i18n.Parse(l)
	return string(lang)
}

package account

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// NoticeKind is what happened to the security of a person's access. The
// mail of each kind is written in templates/mail/security.*: a new kind
// needs its words there (package mail refuses a kind it does not know).
type NoticeKind string

// The security notices a person is sent.
const (
	// NoticePasswordChanged: the person changed their password while
	// signed in (/account/password).
	NoticePasswordChanged NoticeKind = "password_changed"
	// NoticePasswordReset: a new password was chosen through a reset link.
	NoticePasswordReset NoticeKind = "password_reset"
	// NoticeFactorAdded: a second factor (Notice.Factor, Notice.Name) was
	// added.
	NoticeFactorAdded NoticeKind = "factor_added"
	// NoticeFactorRemoved: one second factor (Notice.Factor, Notice.Name)
	// was removed by the person.
	NoticeFactorRemoved NoticeKind = "factor_removed"
	// NoticeFactorsReset: every second factor was removed by someone else
	// (Notice.By): the account's owner or the operator.
	NoticeFactorsReset NoticeKind = "factors_reset"
	// NoticeRecoveryCodeUsed: a recovery code signed the person in;
	// Notice.Remaining codes are left.
	NoticeRecoveryCodeUsed NoticeKind = "recovery_code_used"
	// NoticeRecoveryCodesNew: the recovery codes were replaced by new ones.
	NoticeRecoveryCodesNew NoticeKind = "recovery_codes_new"
)

// The second factors a notice names (Notice.Factor).
const (
	FactorTOTP     = "totp"
	FactorPasskey  = "passkey"
	FactorRecovery = "recovery"
)

// ByOperator is Notice.By when the platform's operator made the change
// (the command line), not a person with an email address.
const ByOperator = "operator"

// Notice tells a person of a change to the security of their access. It
// never holds a secret: no password, code or key.
type Notice struct {
	Kind NoticeKind
	// PersonID is the member (m_…) or the administrator (a_…) concerned.
	PersonID string
	// Email is where the notice goes; AccountID is the member's account
	// (empty for an administrator); Owner says the member owns it.
	Email     string
	AccountID string
	Owner     bool
	// Factor is FactorTOTP, FactorPasskey or FactorRecovery for the notices
	// about second factors; Name names it when it has one (a passkey's
	// name), may be empty.
	Factor string
	Name   string
	// Remaining is the number of unused recovery codes left
	// (NoticeRecoveryCodeUsed).
	Remaining int
	// By is who made the change when it is not the person: an email
	// address, or ByOperator. Empty: the person.
	By string
	// IP is the client address of the request that made the change; empty
	// from the command line.
	IP string
	At time.Time
	// Lang is the language of the request that made the change ("fr",
	// "en"; see WithLang); empty means French.
	Lang string
}

// Notifier sends security notices: it is called inside the transaction
// that makes the change, so that what it writes (an outbox row) commits
// with the change or not at all; an error rolls the change back. Package
// members implements it with a mail; account does not import mail.
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

type langKey struct{}

// WithLang returns ctx carrying the language of the request (the page's
// "fr" or "en"), in which notices are written.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// LangOf returns the language WithLang put in ctx, or "".
func LangOf(ctx context.Context) string {
	l, _ := ctx.Value(langKey{}).(string)
	return l
}

// Notify sends n through Options.Notifier, in the transaction ctx
// carries: call it inside the transaction of the change, after the change.
// It fills what n leaves empty: Email, AccountID and Owner from PersonID,
// At (now) and Lang (from ctx, see WithLang). Without a notifier, or for a
// person without an email address, it does nothing.
func (s *Service) Notify(ctx context.Context, n Notice) error {
	if s.notifier == nil {
		return nil
	}
	if n.Email == "" {
		p, err := s.personOf(ctx, n.PersonID)
		if err != nil {
			return fmt.Errorf("account: notice to %s: %w", n.PersonID, err)
		}
		n.Email, n.AccountID, n.Owner = p.Email, p.AccountID, p.Owner
	}
	if strings.TrimSpace(n.Email) == "" {
		return nil
	}
	if n.At.IsZero() {
		n.At = s.now()
	}
	if n.Lang == "" {
		n.Lang = LangOf(ctx)
	}
	if err := s.notifier.Notify(ctx, n); err != nil {
		return fmt.Errorf("account: notice %s to %s: %w", n.Kind, n.PersonID, err)
	}
	return nil
}

// NotifyFactorChange tells personID that a second factor was added
// (NoticeFactorAdded) or removed (NoticeFactorRemoved) by themselves from
// ip: factor is FactorTOTP, FactorPasskey or FactorRecovery and name the
// factor's name (a passkey's), possibly empty. Call it inside the
// transaction that adds or removes the factor and return its error, so
// that the change and the notice commit together:
//
//	return s.NotifyFactorChange(ctx, NoticeFactorAdded, personID, FactorPasskey, name, ip)
func (s *Service) NotifyFactorChange(ctx context.Context, kind NoticeKind, personID, factor, name, ip string) error {
	return s.Notify(ctx, Notice{Kind: kind, PersonID: personID, Factor: factor, Name: name, IP: ip})
}

// noticeBy is the Notice.By of a change made by actor, as the trail names
// it: an email address, or the operator.
func noticeBy(actor string) string {
	if strings.Contains(actor, "@") {
		return actor
	}
	return ByOperator
}

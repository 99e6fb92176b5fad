package members

import (
	"context"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/mail"
)

// SecurityMail sends account's security notices (a password changed, a
// second factor added or removed, a recovery code used) by email: it
// renders the message and queues it in the outbox, in the transaction ctx
// carries, so that the mail is sent if and only if the change commits.
// It implements account.Notifier.
type SecurityMail struct {
	Outbox *mail.Outbox
	// Issuer is Sésame's public URL, for the links of the message.
	Issuer string
	// Zone is the time zone the message writes times in; nil means UTC.
	Zone  *time.Location
	Brand mail.Brand
}

var _ account.Notifier = SecurityMail{}

// Notify queues the mail telling n.
func (m SecurityMail) Notify(ctx context.Context, n account.Notice) error {
	msg, err := mail.RenderSecurityNotice(mail.SecurityNotice{
		Lang: normalizeLang(n.Lang), Kind: string(n.Kind), Factor: n.Factor, Name: n.Name, Remaining: n.Remaining,
		By: byEmail(n.By), ByOperator: n.By == account.ByOperator, AccountID: n.AccountID, Owner: n.Owner,
		IP: n.IP, At: n.At, Zone: m.Zone, Issuer: m.Issuer, Brand: m.Brand,
	}, n.Email)
	if err != nil {
		return fmt.Errorf("members: security notice to %s: %w", n.PersonID, err)
	}
	if _, err := m.Outbox.Enqueue(ctx, msg); err != nil {
		return fmt.Errorf("members: security notice to %s: %w", n.PersonID, err)
	}
	return nil
}

// SecurityMail returns the notifier of s's settings: its outbox, issuer,
// time zone and brand.
func (s *Service) SecurityMail() SecurityMail {
	return SecurityMail{Outbox: s.outbox, Issuer: s.issuer, Zone: s.zone, Brand: s.brand}
}

func byEmail(by string) string {
	if by == account.ByOperator {
		return ""
	}
	return by
}

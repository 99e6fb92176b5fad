package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Message is one outgoing mail to one recipient. Text is the plain-text
// body, always present; HTML, when not empty, is sent as its alternative.
type Message struct {
	To, Subject, Text, HTML string
}

// Sender sends one message. An error wrapping ErrPermanent or ErrInvalid
// means that sending it again cannot succeed; any other error may be
// temporary.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Sentinel errors, tested with errors.Is.
var (
	// ErrInvalid is a message that cannot be sent: no or a malformed
	// recipient, an empty or multi-line subject, no text body.
	ErrInvalid = errors.New("mail: invalid message")
	// ErrPermanent is a refusal that a retry will not change, such as the
	// recipient's server answering that the mailbox does not exist.
	ErrPermanent = errors.New("mail: permanent failure")
)

// Validate checks that m can be sent.
func (m Message) Validate() error {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("%w: recipient %q: %v", ErrInvalid, m.To, err)
	}
	if strings.TrimSpace(m.Subject) == "" || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: subject must be one non-empty line", ErrInvalid)
	}
	if strings.TrimSpace(m.Text) == "" {
		return fmt.Errorf("%w: empty text body", ErrInvalid)
	}
	return nil
}

// retryable reports whether a failed send is worth trying again.
func retryable(err error) bool {
	return !errors.Is(err, ErrPermanent) && !errors.Is(err, ErrInvalid)
}

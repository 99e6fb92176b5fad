package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Message is one outgoing mail to one recipient. Text is the plain-text
// body, always present; HTML, when not empty, is sent as its alternative.
// MessageID, when not empty, is the Message-ID header without its angle
// brackets (left@right); the outbox gives every message one at Enqueue and
// keeps it across attempts. Empty: the sender makes up a new one.
type Message struct {
	To, Subject, Text, HTML string
	MessageID               string
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
	if m.MessageID != "" && !validMessageID(m.MessageID) {
		return fmt.Errorf("%w: Message-ID %q is not left@right in printable ASCII", ErrInvalid, m.MessageID)
	}
	return nil
}

// validMessageID reports whether id fits in a Message-ID header between
// angle brackets: one @ between two non-empty parts of printable ASCII
// without spaces, brackets or quotes.
func validMessageID(id string) bool {
	if len(id) > 250 {
		return false
	}
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return false
	}
	for _, c := range id {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`<>"\()[],;:`, c) {
			return false
		}
	}
	return true
}

// newMessageID returns a random Message-ID (without angle brackets) under
// host, or localhost when host is empty.
func newMessageID(host string) string {
	if host == "" || !validMessageID("x@"+host) {
		host = "localhost"
	}
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b) + "@" + host
}

// retryable reports whether a failed send is worth trying again.
func retryable(err error) bool {
	return !errors.Is(err, ErrPermanent) && !errors.Is(err, ErrInvalid)
}

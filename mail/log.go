package mail

import (
	"context"
	"log/slog"
)

// logSender writes messages to the log instead of sending them.
type logSender struct{ log *slog.Logger }

var _ Sender = logSender{}

// NewLogSender returns a Sender that writes the whole message (recipient,
// subject and plain-text body) to l at level Info, and sends nothing. It is
// the default when no SMTP server is configured, so that a developer can
// follow an invitation link from the console. The text body may hold a
// single-use link: do not use it where logs are shared.
func NewLogSender(l *slog.Logger) Sender {
	if l == nil {
		l = slog.Default()
	}
	return logSender{log: l}
}

// Send logs m.
func (s logSender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "mail not sent (no SMTP server configured), printed instead",
		"to", m.To, "subject", m.Subject, "text", m.Text)
	return nil
}

package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"go.opentelemetry.io/otel/trace"
)

// smtpTimeout bounds the connection and each SMTP command.
const smtpTimeout = 30 * time.Second

// Values of the tls parameter of SESAME_SMTP_URL.
const (
	tlsStartTLS = "starttls" // plain connection upgraded by STARTTLS, which is required
	tlsImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
	tlsNone     = "none"     // no encryption: a relay on the same host or network
)

// smtpConfig is SESAME_SMTP_URL, parsed.
type smtpConfig struct {
	host       string
	port       int
	tls        string
	user, pass string
	auth       bool
}

// parseSMTPURL reads smtp://[user:pass@]host[:port][?tls=starttls|tls|none].
//
// Without tls, port 465 means implicit TLS and any other port STARTTLS.
// STARTTLS is mandatory, never opportunistic: a server that does not offer
// it (or an attacker who strips it) makes sending fail rather than send
// invitation links and credentials in clear; say tls=none for a relay that
// has no TLS. Without a port: 465 for tls, 587 for starttls, 25 for none.
// Credentials, when present, are used with the best mechanism the server
// offers; with tls=none only PLAIN, and only to a loopback host.
func parseSMTPURL(raw string) (smtpConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return smtpConfig{}, fmt.Errorf("mail: SMTP URL: %w", errors.New("malformed URL"))
	}
	if u.Scheme != "smtp" {
		return smtpConfig{}, fmt.Errorf("mail: SMTP URL: scheme %q, want smtp://", u.Scheme)
	}
	c := smtpConfig{host: u.Hostname()}
	if c.host == "" {
		return smtpConfig{}, errors.New("mail: SMTP URL: no host")
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return smtpConfig{}, fmt.Errorf("mail: SMTP URL: unknown parameter %q (only tls)", k)
		}
	}
	if p := u.Port(); p != "" {
		if c.port, err = strconv.Atoi(p); err != nil || c.port < 1 || c.port > 65535 {
			return smtpConfig{}, fmt.Errorf("mail: SMTP URL: bad port %q", p)
		}
	}
	switch c.tls = q.Get("tls"); c.tls {
	case tlsStartTLS, tlsImplicit, tlsNone:
	case "":
		c.tls = tlsStartTLS
		if c.port == gomail.DefaultPortSSL {
			c.tls = tlsImplicit
		}
	default:
		return smtpConfig{}, fmt.Errorf("mail: SMTP URL: tls=%q, want starttls, tls or none", c.tls)
	}
	if c.port == 0 {
		c.port = map[string]int{tlsStartTLS: gomail.DefaultPortTLS, tlsImplicit: gomail.DefaultPortSSL, tlsNone: gomail.DefaultPort}[c.tls]
	}
	if u.User != nil {
		c.auth = true
		c.user = u.User.Username()
		c.pass, _ = u.User.Password()
	}
	return c, nil
}

// smtpSender sends through one SMTP server (a relay or submission port).
type smtpSender struct {
	cfg  smtpConfig
	from *mail.Address
}

var _ Sender = (*smtpSender)(nil)

// NewSMTPSender returns a Sender that submits every message, in its own
// connection, to the server named by rawURL (SESAME_SMTP_URL, see
// parseSMTPURL in smtp.go for the rules) with from (SESAME_MAIL_FROM, an
// address with an optional display name) as sender. Messages are
// multipart/alternative (text, then HTML) in UTF-8 and marked
// Auto-Submitted. Each connection and command times out after 30 seconds.
// A refusal of the recipient with a 5xx code wraps ErrPermanent.
func NewSMTPSender(rawURL, from string) (Sender, error) {
	cfg, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %w", from, err)
	}
	s := &smtpSender{cfg: cfg, from: addr}
	if _, err := s.client(); err != nil {
		return nil, err
	}
	return s, nil
}

// client builds a go-mail client; one per message keeps sends independent
// of each other.
func (s *smtpSender) client() (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.port),
		gomail.WithTimeout(smtpTimeout),
	}
	switch s.cfg.tls {
	case tlsImplicit:
		opts = append(opts, gomail.WithSSL())
	case tlsStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case tlsNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.auth {
		mech := gomail.SMTPAuthAutoDiscover
		if s.cfg.tls == tlsNone {
			// Discovery refuses every mechanism that sends the password
			// without encryption; PLAIN still refuses a non-loopback host.
			mech = gomail.SMTPAuthPlain
		}
		opts = append(opts, gomail.WithSMTPAuth(mech), gomail.WithUsername(s.cfg.user), gomail.WithPassword(s.cfg.pass))
	}
	c, err := gomail.NewClient(s.cfg.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client for %s: %w", s.cfg.host, err)
	}
	return c, nil
}

// Send submits m.
func (s *smtpSender) Send(ctx context.Context, m Message) (err error) {
	ctx, span := startSpan(ctx, "smtp send", trace.SpanKindClient)
	defer func() { endSpan(span, err) }()
	if err := m.Validate(); err != nil {
		return err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("%w: recipient %q: %v", ErrInvalid, m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	} else {
		msg.SetMessageID()
	}
	// RFC 3834: no vacation replies or other automatic answers, please.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	// go-mail heeds ctx only while dialling; the conversation is bounded
	// by its own timeouts. Give up waiting when ctx ends: the outcome is
	// then unknown, and the connection closes at the next timeout.
	done := make(chan error, 1)
	go func() { done <- c.DialAndSendWithContext(ctx, msg) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		return fmt.Errorf("mail: send to %s via %s: outcome unknown: %w", m.To, s.cfg.host, context.Cause(ctx))
	}
	if err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp() && se.ErrorCode() >= 500 {
			return fmt.Errorf("mail: send to %s via %s: %w: %w", m.To, s.cfg.host, ErrPermanent, err)
		}
		return fmt.Errorf("mail: send to %s via %s: %w", m.To, s.cfg.host, err)
	}
	return nil
}

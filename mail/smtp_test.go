package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/mail/mailtest"
)

const from = "Sésame <noreply@example.com>"

// crlf normalises line ends: SMTP carries CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func newSender(t *testing.T, url string) mail.Sender {
	t.Helper()
	s, err := mail.NewSMTPSender(url, from)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSMTPSenderDeliversMultipart(t *testing.T) {
	srv := mailtest.NewServer(t)
	m := mail.Message{
		To:      "alice@example.org",
		Subject: "Invitation à rejoindre le compte id482913",
		Text:    "Bonjour Élodie,\n\nid482913\nhttps://sesame.example.com/invitation?token=abc&lang=fr\n" + strings.Repeat("long line ", 20) + "\n",
		HTML:    "<p>Bonjour Élodie, <a href=\"https://sesame.example.com/invitation?token=abc&amp;lang=fr\">ici</a></p>",
	}
	if err := newSender(t, srv.URL()).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, m.To, 5*time.Second)
	if got.From != "noreply@example.com" {
		t.Errorf("envelope sender = %q", got.From)
	}
	if got.Subject != m.Subject {
		t.Errorf("subject = %q, want %q", got.Subject, m.Subject)
	}
	if crlf(got.Text) != m.Text {
		t.Errorf("text = %q, want %q", got.Text, m.Text)
	}
	if crlf(got.HTML) != m.HTML {
		t.Errorf("HTML = %q, want %q", got.HTML, m.HTML)
	}
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	if h := got.Header.Get("Auto-Submitted"); h != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", h)
	}
	if h := got.Header.Get("From"); !strings.Contains(h, "<noreply@example.com>") {
		t.Errorf("From = %q", h)
	}
	if got.Header.Get("Message-Id") == "" || got.Header.Get("Date") == "" {
		t.Errorf("Message-ID or Date missing: %v", got.Header)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages received, want 1", n)
	}
}

func TestSMTPSenderTextOnly(t *testing.T) {
	srv := mailtest.NewServer(t)
	m := mail.Message{To: "bob@example.org", Subject: "Hello", Text: "Plain only.\n"}
	if err := newSender(t, srv.URL()).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, m.To, 5*time.Second)
	if crlf(got.Text) != m.Text || got.HTML != "" {
		t.Errorf("text %q, HTML %q; want %q and none", got.Text, got.HTML, m.Text)
	}
}

func TestSMTPSenderAuth(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithAuth("sesame", "pa:ss w0rd"))
	m := mail.Message{To: "carol@example.org", Subject: "Hello", Text: "Hi.\n"}
	tests := []struct {
		name    string
		url     string
		wantErr bool
	}{
		{"right credentials", srv.URL(), false},
		{"wrong password", "smtp://sesame:nope@" + srv.Addr() + "?tls=none", true},
		{"no credentials", "smtp://" + srv.Addr() + "?tls=none", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newSender(t, tt.url).Send(context.Background(), m)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Send: %v, want error %v", err, tt.wantErr)
			}
		})
	}
	if n := len(srv.MessagesTo(m.To)); n != 1 {
		t.Errorf("%d messages received, want 1 (only the authenticated one)", n)
	}
}

func TestSMTPSenderRequiresSTARTTLSByDefault(t *testing.T) {
	srv := mailtest.NewServer(t) // offers no STARTTLS
	s := newSender(t, "smtp://"+srv.Addr())
	err := s.Send(context.Background(), mail.Message{To: "dave@example.org", Subject: "Hello", Text: "Hi.\n"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("Send without STARTTLS = %v, want a STARTTLS error", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages received in clear, want 0", n)
	}
}

func TestSMTPSenderErrors(t *testing.T) {
	srv := mailtest.NewServer(t)
	srv.RejectRecipient("nobody@example.org")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := l.Addr().String()
	l.Close()
	ok := mail.Message{To: "erin@example.org", Subject: "Hello", Text: "Hi.\n"}

	tests := []struct {
		name          string
		url           string
		down          bool
		msg           mail.Message
		wantPermanent bool
		wantInvalid   bool
	}{
		{name: "server down is temporary", url: srv.URL(), down: true, msg: ok},
		{name: "no server is temporary", url: "smtp://" + closedAddr + "?tls=none", msg: ok},
		{name: "unknown mailbox is permanent", url: srv.URL(), msg: mail.Message{To: "nobody@example.org", Subject: "Hello", Text: "Hi.\n"}, wantPermanent: true},
		{name: "bad recipient is invalid", url: srv.URL(), msg: mail.Message{To: "not an address", Subject: "Hello", Text: "Hi.\n"}, wantInvalid: true},
		{name: "two-line subject is invalid", url: srv.URL(), msg: mail.Message{To: "erin@example.org", Subject: "Hello\r\nBcc: x@example.org", Text: "Hi.\n"}, wantInvalid: true},
		{name: "empty text is invalid", url: srv.URL(), msg: mail.Message{To: "erin@example.org", Subject: "Hello"}, wantInvalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetDown(tt.down)
			defer srv.SetDown(false)
			err := newSender(t, tt.url).Send(context.Background(), tt.msg)
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if got := errors.Is(err, mail.ErrPermanent); got != tt.wantPermanent {
				t.Errorf("errors.Is(%v, ErrPermanent) = %v, want %v", err, got, tt.wantPermanent)
			}
			if got := errors.Is(err, mail.ErrInvalid); got != tt.wantInvalid {
				t.Errorf("errors.Is(%v, ErrInvalid) = %v, want %v", err, got, tt.wantInvalid)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages received, want 0", n)
	}
}

func TestNewSMTPSenderErrors(t *testing.T) {
	tests := []struct{ name, url, from string }{
		{"bad URL", "http://mail.example.com", "noreply@example.com"},
		{"no sender", "smtp://mail.example.com:587", ""},
		{"bad sender", "smtp://mail.example.com:587", "not an address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := mail.NewSMTPSender(tt.url, tt.from); err == nil {
				t.Fatalf("NewSMTPSender(%q, %q) succeeded", tt.url, tt.from)
			}
		})
	}
}

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := mail.NewLogSender(slog.New(slog.NewTextHandler(&buf, nil)))
	m := mail.Message{To: "frank@example.org", Subject: "Invitation", Text: "Account id482913\nhttps://sesame.example.com/i/abc\n"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"frank@example.org", "Invitation", "id482913", "https://sesame.example.com/i/abc"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log %q lacks %q", buf.String(), want)
		}
	}
	if err := s.Send(context.Background(), mail.Message{To: "x"}); !errors.Is(err, mail.ErrInvalid) {
		t.Errorf("invalid message: %v, want ErrInvalid", err)
	}
}

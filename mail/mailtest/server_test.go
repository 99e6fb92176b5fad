package mailtest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/sesame-idp/sesame/mail/mailtest"
)

// nested is a mixed message whose first part is an alternative of a
// base64 text and a quoted-printable HTML, with an encoded subject.
const nested = "From: a@example.org\r\n" +
	"To: b@example.org, c@example.org\r\n" +
	"Subject: =?UTF-8?B?RMOpasOgIHZ1?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"w4l0w6kg\r\nw6AgUGFyaXM=\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p>=C3=89t=C3=A9 =\r\n=C3=A0 Paris</p>\r\n" +
	"--inner--\r\n" +
	"--outer\r\n" +
	"Content-Type: application/octet-stream\r\n" +
	"\r\n" +
	"ignored\r\n" +
	"--outer--\r\n"

// sendMail delivers r in clear, authenticating with a when not nil.
func sendMail(addr string, a sasl.Client, from string, to []string, r string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if a != nil {
		if err := c.Auth(a); err != nil {
			return err
		}
	}
	if err := c.SendMail(from, to, strings.NewReader(r)); err != nil {
		return err
	}
	return c.Quit()
}

func TestServerDecodes(t *testing.T) {
	s := mailtest.NewServer(t)
	err := sendMail(s.Addr(), nil, "a@example.org", []string{"b@example.org", "c@example.org"}, nested)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"b@example.org", "C@example.org"} {
		r := s.WaitFor(t, to, 5*time.Second)
		if r.From != "a@example.org" || r.Subject != "Déjà vu" || r.Text != "Été à Paris" || r.HTML != "<p>Été à Paris</p>" {
			t.Errorf("to %s: from %q, subject %q, text %q, HTML %q", to, r.From, r.Subject, r.Text, r.HTML)
		}
		if !strings.Contains(r.Raw, "boundary=outer") {
			t.Errorf("Raw does not hold the message")
		}
	}
	if n := len(s.Messages()); n != 2 {
		t.Errorf("%d messages, want one per recipient (2)", n)
	}
}

func TestServerDownAndAuth(t *testing.T) {
	s := mailtest.NewServer(t, mailtest.WithAuth("u", "p"))
	if !strings.HasPrefix(s.URL(), "smtp://u:p@127.0.0.1:") || !strings.HasSuffix(s.URL(), "?tls=none") {
		t.Errorf("URL = %q", s.URL())
	}
	msg := "Subject: hi\r\n\r\nhi\r\n"
	send := func(a sasl.Client) error {
		return sendMail(s.Addr(), a, "a@example.org", []string{"b@example.org"}, msg)
	}
	tests := []struct {
		name     string
		auth     sasl.Client
		down     bool
		wantCode int
	}{
		{"no auth", nil, false, 502},
		{"wrong password", sasl.NewPlainClient("", "u", "x"), false, 535},
		{"down", sasl.NewPlainClient("", "u", "p"), true, 451},
		{"up", sasl.NewPlainClient("", "u", "p"), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetDown(tt.down)
			err := send(tt.auth)
			var se *smtp.SMTPError
			switch {
			case tt.wantCode == 0 && err != nil:
				t.Fatalf("send: %v", err)
			case tt.wantCode != 0 && (!errors.As(err, &se) || se.Code != tt.wantCode):
				t.Fatalf("send: %v, want code %d", err, tt.wantCode)
			}
		})
	}
	if n, r := len(s.Messages()), s.Refused(); n != 1 || r != 1 {
		t.Errorf("%d messages, %d refused; want 1 and 1", n, r)
	}
}

// TestWaitForMatch: the wait skips messages that do not match and wakes
// when a matching one arrives.
func TestWaitForMatch(t *testing.T) {
	s := mailtest.NewServer(t)
	send := func(subject string) error {
		return sendMail(s.Addr(), nil, "a@example.org", []string{"b@example.org"}, "Subject: "+subject+"\r\n\r\nhi\r\n")
	}
	if err := send("first"); err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() { sent <- send("second") }()
	r := s.WaitForMatch(t, "B@example.org", func(r mailtest.Received) bool { return r.Subject == "second" }, 5*time.Second)
	if r.Subject != "second" {
		t.Fatalf("WaitForMatch returned %q", r.Subject)
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if r := s.WaitFor(t, "b@example.org", time.Second); r.Subject != "first" {
		t.Fatalf("WaitFor returned %q, want the first message", r.Subject)
	}
}

func TestServerHolds(t *testing.T) {
	s := mailtest.NewServer(t)
	s.Hold()
	sent := make(chan error, 1)
	go func() {
		sent <- sendMail(s.Addr(), nil, "a@example.org", []string{"b@example.org"}, "Subject: hi\r\n\r\nhi\r\n")
	}()
	s.WaitHeld(t, 5*time.Second)
	select {
	case err := <-sent:
		t.Fatalf("send ended while held: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("%d messages stored while held, want 0", n)
	}
	s.Release()
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	s.WaitFor(t, "b@example.org", time.Second)
}

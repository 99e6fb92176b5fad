package mailtest

import (
	"io"
	"log"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Server is an SMTP server listening on 127.0.0.1 for one test.
type Server struct {
	tb         testing.TB
	addr       string
	user, pass string

	mu       sync.Mutex
	received []Received
	down     bool
	refused  int
	rejected map[string]bool
	arrived  chan struct{} // closed, then replaced, when a message arrives
	release  chan struct{} // not nil while holding; closed by Release
	held     chan struct{} // receives one value per message held
	closed   chan struct{} // closed when the test ends
}

// Option configures a Server.
type Option func(*Server)

// WithAuth makes the server offer AUTH PLAIN and accept mail only from a
// client that authenticated as user with pass. It allows AUTH without TLS,
// which a real server should not.
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// NewServer starts a server on a free loopback port; it stops when the
// test ends.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{tb: tb, rejected: map[string]bool{}, arrived: make(chan struct{}),
		held: make(chan struct{}, 100), closed: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = l.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go srv.Serve(l) //nolint:errcheck // returns when Close is called
	tb.Cleanup(func() {
		close(s.closed)
		srv.Close()
	})
	return s
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// URL is the server as a SESAME_SMTP_URL: smtp://127.0.0.1:PORT?tls=none,
// with the credentials of WithAuth when it was given.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr, RawQuery: "tls=none"}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
	}
	return u.String()
}

// Messages returns what the server accepted so far, oldest first: one
// Received per recipient of each message.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// MessagesTo returns the messages accepted for the address to.
func (s *Server) MessagesTo(to string) []Received {
	var out []Received
	for _, r := range s.Messages() {
		if strings.EqualFold(r.To, to) {
			out = append(out, r)
		}
	}
	return out
}

// WaitFor returns the first message accepted for the address to, waiting
// for it at most timeout; it fails the test when none arrives.
func (s *Server) WaitFor(tb testing.TB, to string, timeout time.Duration) Received {
	tb.Helper()
	return s.WaitForMatch(tb, to, nil, timeout)
}

// WaitForMatch returns the first message accepted for the address to for
// which match holds (any message when match is nil), waiting for it at
// most timeout: it wakes when a message arrives, never polls. It fails
// the test when none arrives in time.
func (s *Server) WaitForMatch(tb testing.TB, to string, match func(Received) bool, timeout time.Duration) Received {
	tb.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		arrived, received := s.arrived, s.received[:len(s.received):len(s.received)]
		s.mu.Unlock()
		for _, r := range received {
			if strings.EqualFold(r.To, to) && (match == nil || match(r)) {
				return r
			}
		}
		select {
		case <-arrived:
		case <-deadline.C:
			tb.Fatalf("mailtest: no matching message to %s within %v", to, timeout)
			return Received{}
		}
	}
}

// SetDown makes the server answer every new transaction with
// "451 4.3.0" (try again later) while down is true.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Refused counts the transactions refused because the server was down.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// RejectRecipient makes the server refuse the address with
// "550 5.1.1" (no such mailbox), a permanent failure.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[strings.ToLower(addr)] = true
}

// Hold makes the server keep every message it receives from now on in
// DATA, after the whole message arrived and before the final answer, until
// Release: a send in progress, for as long as the test needs.
func (s *Server) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release == nil {
		s.release = make(chan struct{})
	}
}

// Release answers the held messages (250, accepted) and ends Hold.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release != nil {
		close(s.release)
		s.release = nil
	}
}

// WaitHeld waits at most timeout for a message to be held; it fails the
// test when none is.
func (s *Server) WaitHeld(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	select {
	case <-s.held:
	case <-time.After(timeout):
		tb.Fatalf("mailtest: no message held within %v", timeout)
	}
}

// hold blocks while the server holds messages; it reports false when the
// test ended meanwhile.
func (s *Server) hold() bool {
	s.mu.Lock()
	release := s.release
	s.mu.Unlock()
	if release == nil {
		return true
	}
	s.held <- struct{}{}
	select {
	case <-release:
		return true
	case <-s.closed:
		return false
	}
}

// store keeps one message per recipient and wakes WaitFor.
func (s *Server) store(rs []Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, rs...)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

package sesametest

import (
	"context"
	"testing"
	"time"
)

// SettleMail returns once all the mail Sésame set out to send so far is
// settled: every stored password-reset request was handled, and every
// message of the outbox reached the test SMTP server or was abandoned. The server's messages counted afterwards are
// final, so tests can assert that something was not sent. Call it with no
// request in flight; it fails the test when mail is still pending after
// 10 s (the SMTP server being down, say).
func (s *Instance) SettleMail(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resets, err := s.Members.PendingResets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.Outbox.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if resets == 0 && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s, %d reset requests and %d messages are still pending", resets, n)
		}
		s.Outbox.Kick()
		time.Sleep(5 * time.Millisecond)
	}
}

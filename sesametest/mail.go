package sesametest

import (
	"context"
	"testing"
	"time"
)

// SettleMail returns once all the mail Sésame set out to send so far is
// settled: the work requests go on with after their answer is done (see
// web.Server.Wait), and every message of the outbox reached the test SMTP
// server or was abandoned. The server's messages counted afterwards are
// final, so tests can assert that something was not sent. Call it with no
// request in flight; it fails the test when mail is still pending after
// 10 s (the SMTP server being down, say).
func (s *Instance) SettleMail(t testing.TB) {
	t.Helper()
	s.Web.Wait()
	s.Outbox.Kick()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := s.Outbox.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still pending in the outbox after 10 s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

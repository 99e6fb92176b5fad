package mail_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/mail"
)

// runOutbox starts o.Run and returns its stop function and a channel
// closed when Run returns.
func runOutbox(o *mail.Outbox) (stop context.CancelFunc, done <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan struct{})
	go func() { o.Run(ctx); close(ch) }()
	return cancel, ch
}

// TestOutboxShutdownFinishesSend stops the delivery loop (SIGTERM) while
// the server holds a message in DATA: Run waits for the answer, records
// the message as sent, and nothing sends it again later.
func TestOutboxShutdownFinishesSend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, srv, c := fixture(t, d, mail.OutboxOptions{PollInterval: time.Hour})
		m := message("ivan@example.org")
		srv.Hold()
		id := enqueue(t, d, o, m)
		stop, done := runOutbox(o)
		srv.WaitHeld(t, 5*time.Second)
		stop()
		select {
		case <-done:
			t.Fatal("Run returned during a send")
		case <-time.After(300 * time.Millisecond):
		}
		srv.Release()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return once the send ended")
		}
		if s := status(t, o, id); s.State != mail.StateSent || s.Attempts != 1 {
			t.Fatalf("after shutdown: %+v, want sent after 1 attempt", s)
		}

		// Another instance, an hour later, has nothing to send.
		c.Advance(time.Hour)
		other := mail.NewOutbox(d, newSender(t, srv.URL()), mail.OutboxOptions{Now: c.Now, Logger: slog.New(slog.DiscardHandler)})
		deliver(t, other, 0)
		if n := len(srv.MessagesTo(m.To)); n != 1 {
			t.Errorf("%s received %d copies, want 1", m.To, n)
		}
	})
}

// TestOutboxShutdownGraceAndMessageID stops the loop while the server
// holds a message for longer than the grace period: Run gives up in time
// and frees the message for another instance at once (no lease to wait
// for). The server accepts the first copy late, so two copies arrive:
// both carry the same Message-ID.
func TestOutboxShutdownGraceAndMessageID(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, srv, c := fixture(t, d, mail.OutboxOptions{PollInterval: time.Hour, ShutdownGrace: 200 * time.Millisecond})
		m := message("judy@example.org")
		srv.Hold()
		id := enqueue(t, d, o, m)
		stop, done := runOutbox(o)
		srv.WaitHeld(t, 5*time.Second)
		stop()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not give up the send after its grace period")
		}
		s := status(t, o, id)
		if s.State == mail.StateSending || s.State == mail.StateSent || s.NextAttemptAt.After(c.Now()) {
			t.Fatalf("after an abandoned send: %+v, want due now and free", s)
		}
		srv.Release()
		first := srv.WaitFor(t, m.To, 5*time.Second)

		other := mail.NewOutbox(d, newSender(t, srv.URL()), mail.OutboxOptions{Now: c.Now, Logger: slog.New(slog.DiscardHandler)})
		deliver(t, other, 1)
		got := srv.MessagesTo(m.To)
		if len(got) != 2 {
			t.Fatalf("%d copies, want 2", len(got))
		}
		id1, id2 := first.Header.Get("Message-Id"), got[1].Header.Get("Message-Id")
		if id1 == "" || id1 != id2 {
			t.Errorf("Message-IDs %q and %q, want one for both attempts", id1, id2)
		}
	})
}

// TestOutboxSuccessEndsBackoff checks that once the server is back, the
// messages waiting on their backoff go out with the next success rather
// than at the end of their wait.
func TestOutboxSuccessEndsBackoff(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, srv, c := fixture(t, d, mail.OutboxOptions{})
		srv.SetDown(true)
		waiting := enqueue(t, d, o, message("kim@example.org"))
		deliver(t, o, 0)
		c.Advance(backoff)
		deliver(t, o, 0)
		if s := status(t, o, waiting); s.State != mail.StateFailing || !s.NextAttemptAt.After(c.Now()) {
			t.Fatalf("during the outage: %+v, want failing and waiting", s)
		}

		srv.SetDown(false)
		fresh := enqueue(t, d, o, message("lea@example.org"))
		deliver(t, o, 2)
		for _, id := range []int64{fresh, waiting} {
			if s := status(t, o, id); s.State != mail.StateSent {
				t.Errorf("message %d after recovery: %+v, want sent", id, s)
			}
		}
	})
}

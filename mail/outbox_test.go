package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/internal/testclock"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/mail/mailtest"
)

// clock is the tests' settable time.
type clock = testclock.Clock

func newClock() *clock { return testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) }

const backoff = time.Minute

// fixture is an outbox on d that sends to a mailtest server.
func fixture(t *testing.T, d *db.DB, opts mail.OutboxOptions) (*mail.Outbox, *mailtest.Server, *clock) {
	t.Helper()
	srv := mailtest.NewServer(t)
	c := newClock()
	opts.Now = c.Now
	opts.Logger = slog.New(slog.DiscardHandler)
	if opts.Backoff == 0 {
		opts.Backoff = backoff
	}
	return mail.NewOutbox(d, newSender(t, srv.URL()), opts), srv, c
}

func message(to string) mail.Message {
	return mail.Message{To: to, Subject: "Invitation", Text: "Link: https://sesame.example.com/i/" + to + "\n", HTML: "<p>Link</p>"}
}

func enqueue(t *testing.T, d *db.DB, o *mail.Outbox, m mail.Message) int64 {
	t.Helper()
	var id int64
	err := d.InTx(context.Background(), func(ctx context.Context) error {
		var err error
		id, err = o.Enqueue(ctx, m)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func deliver(t *testing.T, o *mail.Outbox, want int) {
	t.Helper()
	n, err := o.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("DeliverDue sent %d, want %d", n, want)
	}
}

func status(t *testing.T, o *mail.Outbox, id int64) mail.Delivery {
	t.Helper()
	s, err := o.Status(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOutboxRollbackSendsNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		o, srv, _ := fixture(t, d, mail.OutboxOptions{})
		boom := errors.New("boom")
		var id int64
		err := d.InTx(ctx, func(ctx context.Context) error {
			var err error
			if id, err = o.Enqueue(ctx, message("alice@example.org")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		deliver(t, o, 0)
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("%d messages sent after rollback, want 0", n)
		}
		if _, err := o.Status(ctx, id); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("Status of rolled-back message: %v, want ErrNotFound", err)
		}
	})
}

func TestOutboxDeliversOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, srv, c := fixture(t, d, mail.OutboxOptions{})
		m := message("bob@example.org")
		id := enqueue(t, d, o, m)
		if s := status(t, o, id); s.State != mail.StateQueued || s.Attempts != 0 || s.To != m.To || s.Subject != m.Subject {
			t.Errorf("before delivery: %+v", s)
		}
		deliver(t, o, 1)
		got := srv.WaitFor(t, m.To, 5*time.Second)
		if crlf(got.Text) != m.Text || crlf(got.HTML) != m.HTML {
			t.Errorf("received text %q, HTML %q", got.Text, got.HTML)
		}
		c.Advance(24 * time.Hour)
		deliver(t, o, 0)
		if n := len(srv.Messages()); n != 1 {
			t.Errorf("%d messages received, want 1", n)
		}
		s := status(t, o, id)
		if s.State != mail.StateSent || s.Attempts != 1 || !s.SentAt.Equal(newClock().Now()) {
			t.Errorf("after delivery: %+v", s)
		}
		var body string
		if err := d.Get(&body, d.Rebind(`SELECT text_body || html_body FROM mail_outbox WHERE id = ?`), id); err != nil {
			t.Fatal(err)
		}
		if body != "" {
			t.Errorf("bodies kept after sending: %q", body)
		}
	})
}

func TestOutboxSurvivesOutage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, srv, c := fixture(t, d, mail.OutboxOptions{})
		m, m2 := message("carol@example.org"), message("carl@example.org")
		srv.SetDown(true)
		id, id2 := enqueue(t, d, o, m), enqueue(t, d, o, m2)
		start := c.Now()
		wantPending(t, o, 2)

		deliver(t, o, 0)
		if n := srv.Refused(); n != 1 {
			t.Fatalf("%d attempts in the first pass, want 1: a refusal ends the pass", n)
		}
		s := status(t, o, id)
		if s.State != mail.StateFailing || s.Attempts != 1 || !strings.Contains(s.LastError, "451") {
			t.Fatalf("after a refusal: %+v", s)
		}
		if want := start.Add(backoff); !s.NextAttemptAt.Equal(want) {
			t.Errorf("next attempt at %v, want %v", s.NextAttemptAt, want)
		}
		if s := status(t, o, id2); s.State != mail.StateQueued {
			t.Errorf("second message after the first pass: %+v, want queued", s)
		}
		deliver(t, o, 0) // the second message's turn
		deliver(t, o, 0) // nothing due before the backoff ends
		if n := srv.Refused(); n != 2 {
			t.Fatalf("%d attempts before the backoff ended, want 2", n)
		}
		wantPending(t, o, 2) // failing messages are still to be delivered

		c.Advance(backoff)
		deliver(t, o, 0)
		s = status(t, o, id)
		if s.Attempts != 2 || !s.NextAttemptAt.Equal(start.Add(3*backoff)) {
			t.Errorf("after the second refusal: %+v, want attempts 2 and the backoff doubled", s)
		}

		srv.SetDown(false)
		c.Advance(2 * backoff)
		deliver(t, o, 2)
		c.Advance(time.Hour)
		deliver(t, o, 0)
		for _, to := range []string{m.To, m2.To} {
			if n := len(srv.MessagesTo(to)); n != 1 {
				t.Errorf("%s received %d copies, want 1", to, n)
			}
		}
		if s := status(t, o, id); s.State != mail.StateSent || s.Attempts != 3 {
			t.Errorf("after recovery: %+v", s)
		}
		if s := status(t, o, id2); s.State != mail.StateSent || s.Attempts != 2 {
			t.Errorf("second message after recovery: %+v", s)
		}
		wantPending(t, o, 0)
	})
}

// wantPending checks how many messages the outbox has still to deliver.
func wantPending(t *testing.T, o *mail.Outbox, want int) {
	t.Helper()
	if n, err := o.Pending(context.Background()); err != nil || n != want {
		t.Errorf("Pending = %d, %v; want %d", n, err, want)
	}
}

func TestOutboxAbandons(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, srv, c := fixture(t, d, mail.OutboxOptions{MaxAttempts: 2})
		srv.RejectRecipient("nobody@example.org")
		refused := enqueue(t, d, o, message("nobody@example.org"))
		deliver(t, o, 0)
		if s := status(t, o, refused); s.State != mail.StateFailed || s.Attempts != 1 || !strings.Contains(s.LastError, "550") {
			t.Errorf("permanently refused message: %+v, want failed after 1 attempt", s)
		}

		srv.SetDown(true)
		outage := enqueue(t, d, o, message("dan@example.org"))
		deliver(t, o, 0)
		if s := status(t, o, outage); s.State != mail.StateFailing {
			t.Errorf("message during outage: %+v, want failing", s)
		}
		c.Advance(backoff)
		deliver(t, o, 0)
		if s := status(t, o, outage); s.State != mail.StateFailed || s.Attempts != 2 || s.FailedAt.IsZero() {
			t.Errorf("after MaxAttempts: %+v, want failed", s)
		}
		wantPending(t, o, 0) // abandoned messages are not
		srv.SetDown(false)
		c.Advance(48 * time.Hour)
		deliver(t, o, 0)
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("%d abandoned messages sent, want 0", n)
		}
		if n, err := o.Purge(context.Background(), c.Now()); err != nil || n != 2 {
			t.Errorf("Purge = %d, %v; want 2", n, err)
		}
	})
}

func TestOutboxConcurrentWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: concurrency test")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := mailtest.NewServer(t)
		c := newClock()
		const workers, messages = 4, 40
		boxes := make([]*mail.Outbox, workers)
		for i := range boxes {
			boxes[i] = mail.NewOutbox(d, newSender(t, srv.URL()), mail.OutboxOptions{Now: c.Now, Logger: slog.New(slog.DiscardHandler)})
		}
		for i := range messages {
			enqueue(t, d, boxes[i%workers], message(fmt.Sprintf("user%d@example.org", i)))
		}
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			total int
		)
		for _, o := range boxes {
			wg.Go(func() {
				n, err := o.DeliverDue(context.Background())
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
		wg.Wait()
		if total != messages {
			t.Errorf("workers report %d sent, want %d", total, messages)
		}
		seen := map[string]int{}
		for _, r := range srv.Messages() {
			seen[r.To]++
		}
		for i := range messages {
			if to := fmt.Sprintf("user%d@example.org", i); seen[to] != 1 {
				t.Errorf("%s received %d copies, want 1", to, seen[to])
			}
		}
	})
}

func TestOutboxRunAndKick(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, srv, _ := fixture(t, d, mail.OutboxOptions{PollInterval: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { o.Run(ctx); close(done) }()

		m := message("erin@example.org")
		enqueue(t, d, o, m)
		o.Kick()
		srv.WaitFor(t, m.To, 5*time.Second)

		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
	})
}

func TestOutboxEnqueueValidates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, _, _ := fixture(t, d, mail.OutboxOptions{})
		_, err := o.Enqueue(context.Background(), mail.Message{To: "not an address", Subject: "x", Text: "y"})
		if !errors.Is(err, mail.ErrInvalid) {
			t.Errorf("Enqueue of a bad message: %v, want ErrInvalid", err)
		}
		if _, err := o.Enqueue(context.Background(), message("gina@example.org")); err != nil {
			t.Errorf("Enqueue on the outbox's own database: %v", err)
		}
	})
}

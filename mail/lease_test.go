package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/mail/mailtest"
)

// TestLeaseOutlivesACrash plays a worker that dies after claiming a
// message (perhaps after sending it): nobody sends it while the lease
// lasts, another worker does once it ends, and the dead worker's late
// report cannot undo the new claim.
func TestLeaseOutlivesACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: lease expiry after a crashed worker")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		srv := mailtest.NewServer(t)
		sender, err := NewSMTPSender(srv.URL(), "noreply@example.com")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		o := NewOutbox(d, sender, OutboxOptions{Now: clock, Lease: 10 * time.Minute, Logger: slog.New(slog.DiscardHandler)})
		id, err := o.Enqueue(ctx, Message{To: "hal@example.org", Subject: "Hi", Text: "Hi.\n"})
		if err != nil {
			t.Fatal(err)
		}

		dead, err := o.claim(ctx)
		if err != nil || dead.ID != id || dead.Attempts != 1 {
			t.Fatalf("claim = %+v, %v", dead, err)
		}
		if _, err := o.claim(ctx); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("second claim during the lease: %v, want ErrNotFound", err)
		}
		if s, _ := o.Status(ctx, id); s.State != StateSending {
			t.Errorf("state during the lease = %s, want sending", s.State)
		}
		now = now.Add(9 * time.Minute)
		if n, err := o.DeliverDue(ctx); err != nil || n != 0 {
			t.Fatalf("DeliverDue during the lease = %d, %v; want 0", n, err)
		}

		now = now.Add(time.Minute)
		taker, err := o.claim(ctx)
		if err != nil || taker.ID != id || taker.Attempts != 2 {
			t.Fatalf("claim after the lease = %+v, %v", taker, err)
		}
		if err := o.markFailed(ctx, dead, errors.New("late report"), false); err != nil {
			t.Fatal(err)
		}
		if s, _ := o.Status(ctx, id); s.State != StateSending || s.LastError != "" {
			t.Errorf("late report of the dead worker changed the message: %+v", s)
		}
		if sendErr, err := o.deliver(ctx, taker); sendErr != nil || err != nil {
			t.Fatalf("deliver = %v, %v", sendErr, err)
		}
		if n := len(srv.Messages()); n != 1 {
			t.Errorf("%d messages sent, want 1", n)
		}
		if s, _ := o.Status(ctx, id); s.State != StateSent {
			t.Errorf("state = %s, want sent", s.State)
		}
	})
}

func TestBackoff(t *testing.T) {
	o := NewOutbox(nil, nil, OutboxOptions{Backoff: 30 * time.Second, MaxBackoff: 5 * time.Minute})
	tests := []struct {
		name    string
		attempt int
		want    time.Duration
	}{
		{"first failure", 1, 30 * time.Second},
		{"second", 2, time.Minute},
		{"fourth", 4, 4 * time.Minute},
		{"capped", 5, 5 * time.Minute},
		{"far beyond", 60, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := o.backoff(tt.attempt); got != tt.want {
				t.Errorf("backoff(%d) = %v, want %v", tt.attempt, got, tt.want)
			}
		})
	}
}

// TestClaimsReleased checks that a stopping instance frees its claims at
// once, and that a starting one frees those of a dead process of its host
// but not those of a live one.
func TestClaimsReleased(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		outbox := func(instance string) *Outbox {
			return NewOutbox(d, NewLogSender(slog.New(slog.DiscardHandler)), OutboxOptions{
				Now: func() time.Time { return now }, Instance: instance, Logger: slog.New(slog.DiscardHandler)})
		}
		me := outbox("")
		if want := me.opts.SendTimeout + 30*time.Second; me.opts.Lease != want {
			t.Errorf("default lease %v, want %v", me.opts.Lease, want)
		}
		host := instanceHost(me.opts.Instance)
		dead := exec.Command("true")
		if err := dead.Run(); err != nil {
			t.Skip("no true command:", err)
		}
		holders := map[string]*Outbox{
			"stopping":  outbox(""),
			"dead":      outbox(fmt.Sprintf("%s/%d/aaaa", host, dead.Process.Pid)),
			"alive":     outbox(fmt.Sprintf("%s/%d/bbbb", host, os.Getppid())),
			"elsewhere": outbox(fmt.Sprintf("other-host/%d/cccc", dead.Process.Pid)),
			"previous":  outbox(fmt.Sprintf("%s/%d/dddd", host, os.Getpid())),
			"sibling":   outbox(fmt.Sprintf("%s/%d/eeee", host, os.Getpid())),
		}
		ids := map[string]int64{}
		for name, o := range holders {
			id, err := o.Enqueue(ctx, Message{To: name + "@example.org", Subject: "Hi", Text: "Hi.\n"})
			if err != nil {
				t.Fatal(err)
			}
			if j, err := o.claim(ctx); err != nil || j.ID != id {
				t.Fatalf("claim by %s = %+v, %v", name, j, err)
			}
			ids[name] = id
		}
		if err := holders["stopping"].ReleaseClaims(ctx); err != nil {
			t.Fatal(err)
		}
		// The previous run of this process, unlike a sibling outbox of it,
		// is gone.
		ownInstances.Delete(holders["previous"].opts.Instance)
		if err := me.ReleaseStale(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[string]State{"stopping": StateQueued, "dead": StateQueued, "previous": StateQueued,
			"alive": StateSending, "elsewhere": StateSending, "sibling": StateSending}
		for name, id := range ids {
			if s, err := me.Status(ctx, id); err != nil || s.State != want[name] {
				t.Errorf("message claimed by the %s instance: %+v, %v; want %s", name, s, err, want[name])
			}
		}
		if n, err := me.DeliverDue(ctx); err != nil || n != 3 {
			t.Errorf("DeliverDue = %d, %v; want the 3 released messages", n, err)
		}
	})
}

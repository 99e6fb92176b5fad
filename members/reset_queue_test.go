package members_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
)

var quiet = slog.New(slog.DiscardHandler)

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.d.Get(&n, f.d.Rebind(query), args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestResetQueue checks the stored requests: nothing happens before the
// worker runs; then the known person gets a link with or without the
// account ID, at most three an hour, and nobody else anything; a
// malformed email is refused before storing.
func TestResetQueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		tech := f.addMember(t, "tech@example.com", "domain:read")
		var inv *members.InvalidError
		if err := f.svc.QueueReset(ctx, members.ResetRequest{Email: "not an email"}); !errors.As(err, &inv) {
			t.Fatalf("malformed email: %v, want InvalidError", err)
		}
		for _, r := range []members.ResetRequest{
			{Email: "tech@example.com", AccountID: f.acct.ID, Lang: "en", IP: "192.0.2.1"},
			{Email: "tech@example.com"}, // without an account ID: every account of the address
			{Email: "nobody@example.com", AccountID: f.acct.ID},
			{Email: "tech@example.com", AccountID: "not an ID"},
		} {
			if err := f.svc.QueueReset(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.count(t, `SELECT COUNT(*) FROM mail_outbox`); n != 0 {
			t.Fatalf("%d messages queued before the worker ran", n)
		}
		if n, err := f.svc.ProcessResets(ctx, quiet); err != nil || n != 4 {
			t.Fatalf("ProcessResets = %d, %v; want 4", n, err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM password_reset_requests`); n != 0 {
			t.Errorf("%d requests left", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM mail_outbox WHERE recipient = ?`, tech.Email); n != 2 {
			t.Errorf("%d messages to the known person, want 2", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM mail_outbox`); n != 2 {
			t.Errorf("%d messages in all, want 2", n)
		}

		for range 4 {
			if err := f.svc.QueueReset(ctx, members.ResetRequest{Email: tech.Email, AccountID: f.acct.ID}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := f.svc.ProcessResets(ctx, quiet); err != nil || n != 4 {
			t.Fatalf("ProcessResets = %d, %v; want 4", n, err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM mail_outbox WHERE recipient = ?`, tech.Email); n != 3 {
			t.Errorf("%d links within the hour, want at most 3", n)
		}
	})
}

// TestResetEveryAccount: a request without an account ID sends one
// message listing a link for each account where the address is an active
// member, each link resetting its own account only.
func TestResetEveryAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		const email = "tech@example.com"
		here := f.addMember(t, email, "domain:read")
		other, _ := f.secondAccount(t)
		there, err := f.accounts.CreateMember(ctx, other.ID, email, "", account.StatusActive, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.QueueReset(ctx, members.ResetRequest{Email: email, Lang: "fr"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ProcessResets(ctx, quiet); err != nil {
			t.Fatal(err)
		}
		if n := f.deliver(t); n != 1 {
			t.Fatalf("%d messages delivered, want 1", n)
		}
		msg := f.lastMail(t, email)
		links := resetLinkPattern.FindAllString(msg.Text, -1)
		if len(links) != 2 || !strings.Contains(msg.Text, f.acct.ID) || !strings.Contains(msg.Text, other.ID) || !strings.Contains(msg.Text, "Other") {
			t.Fatalf("want one link for each of %s and %s:\n%s", f.acct.ID, other.ID, msg.Text)
		}
		// Each link resets one of the two accounts.
		reset := map[string]bool{}
		for _, link := range links {
			token := link[strings.LastIndex(link, "/")+1:]
			m, err := f.svc.ResetPassword(ctx, token, "Cheval-Agrafe-42!x", "Cheval-Agrafe-42!x", "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			reset[m.ID] = true
		}
		if !reset[here.ID] || !reset[there.ID] {
			t.Fatalf("the links reset %v, want %s and %s", reset, here.ID, there.ID)
		}
	})
}

var resetLinkPattern = regexp.MustCompile(`https?://[^\s"<>]+/password-reset/[A-Za-z0-9_-]+`)

// TestResetQueueWorkers runs the workers of several instances at once:
// every request is handled once.
func TestResetQueueWorkers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		const people = 8
		for i := range people {
			m := f.addMember(t, fmt.Sprintf("p%d@example.com", i), "domain:read")
			if err := f.svc.QueueReset(ctx, members.ResetRequest{Email: m.Email, AccountID: f.acct.ID}); err != nil {
				t.Fatal(err)
			}
		}
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			total int
		)
		for range 3 {
			other := members.New(members.Options{DB: d, Accounts: f.accounts, Rights: f.rights, Outbox: f.outbox,
				Tokens: f.revoker, Hasher: sharedHasher, Issuer: issuer, Now: f.clock.Now})
			wg.Go(func() {
				n, err := other.ProcessResets(ctx, quiet)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
		wg.Wait()
		if total != people {
			t.Errorf("workers handled %d requests, want %d", total, people)
		}
		for i := range people {
			if n := f.count(t, `SELECT COUNT(*) FROM mail_outbox WHERE recipient = ?`, fmt.Sprintf("p%d@example.com", i)); n != 1 {
				t.Errorf("p%d received %d links, want 1", i, n)
			}
		}
	})
}

// TestResetQueueRetries makes the work fail (the outbox is missing): the
// request stays, waits its backoff, and is handled once the fault is gone.
func TestResetQueueRetries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if err := f.svc.QueueReset(ctx, members.ResetRequest{Email: ownerEmail}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(`ALTER TABLE mail_outbox RENAME TO mail_outbox_away`); err != nil {
			t.Fatal(err)
		}
		// A storage failure ends the pass with its error.
		if n, err := f.svc.ProcessResets(ctx, quiet); err == nil || n != 0 {
			t.Fatalf("ProcessResets during the fault = %d, %v; want 0 and the error", n, err)
		}
		if _, err := d.Exec(`ALTER TABLE mail_outbox_away RENAME TO mail_outbox`); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM password_reset_requests WHERE attempts = 1 AND last_error <> '' AND locked_until IS NULL`); n != 1 {
			t.Fatalf("the failed request is not waiting to be retried (%d rows)", n)
		}
		if n, err := f.svc.ProcessResets(ctx, quiet); err != nil || n != 0 {
			t.Fatalf("ProcessResets during the backoff = %d, %v; want 0", n, err)
		}
		f.clock.Advance(time.Minute)
		if n, err := f.svc.ProcessResets(ctx, quiet); err != nil || n != 1 {
			t.Fatalf("ProcessResets after the backoff = %d, %v; want 1", n, err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM mail_outbox WHERE recipient = ?`, ownerEmail); n != 1 {
			t.Errorf("%d messages to the owner, want 1", n)
		}
	})
}

// TestResetQueueBoundedPerIP floods the form from one address: at most
// ResetsPendingPerIP requests wait in the queue, every one is answered
// alike, and another address is not held back.
func TestResetQueueBoundedPerIP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		for i := range members.ResetsPendingPerIP + 10 {
			r := members.ResetRequest{Email: fmt.Sprintf("p%d@example.com", i), AccountID: f.acct.ID, IP: "198.51.100.7"}
			if err := f.svc.QueueReset(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.count(t, `SELECT COUNT(*) FROM password_reset_requests`); n != members.ResetsPendingPerIP {
			t.Fatalf("%d requests stored from one address, want %d", n, members.ResetsPendingPerIP)
		}
		if err := f.svc.QueueReset(ctx, members.ResetRequest{Email: "other@example.com", IP: "198.51.100.8"}); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM password_reset_requests WHERE ip = ?`, "198.51.100.8"); n != 1 {
			t.Fatalf("another address: %d requests stored, want 1", n)
		}
		// Once handled, the address may ask again.
		if _, err := f.svc.ProcessResets(ctx, quiet); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.QueueReset(ctx, members.ResetRequest{Email: "p0@example.com", IP: "198.51.100.7"}); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM password_reset_requests`); n != 1 {
			t.Fatalf("%d requests after the queue drained, want 1", n)
		}
	})
}

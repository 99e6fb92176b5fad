package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestRequestDeadline: a request whose database call is stuck (here behind
// a lock another connection holds) ends at the request deadline with an
// error, rather than holding its connection for as long as the lock lasts.
func TestRequestDeadline(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{Postgres: true, RequestTimeout: time.Second})
	seed(t, s)
	b := s.NewBrowser(t)
	form := b.Get("/login")
	ctx := context.Background()
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `LOCK TABLE members, login_throttle IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	b.Client.Timeout = 10 * time.Second
	start := time.Now()
	p := b.Submit(form, "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
	if took := time.Since(start); p.Status != http.StatusServiceUnavailable || took > 5*time.Second {
		t.Fatalf("status %d after %s, want 503 at the deadline (1 s)", p.Status, took.Round(time.Millisecond))
	}
}

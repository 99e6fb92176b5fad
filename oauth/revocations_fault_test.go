package oauth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// eventually polls cond until it holds, failing after limit; it returns
// how long it took.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// TestRevocationWatchOutage stops a private PostgreSQL under a watching
// instance: from the moment its listener is cut, every token is checked in
// the database (a revocation it could not hear is seen as soon as the
// database is back, before the listener is); once the listener has
// reconnected and resynced, tokens are remembered again.
func TestRevocationWatchOutage(t *testing.T) {
	srv := dbtest.StartServer(t)
	url := srv.Database("oauth")
	open := func() *db.DB {
		d, err := db.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	ctx := context.Background()
	ring := newRing(t)
	dOther, dB := open(), open()
	other := newProvider(t, dOther, ring, loadKeys(t, dOther, ring), rightsOf{}) // whose announcements b may miss
	b := watching(t, newProvider(t, dB, ring, loadKeys(t, dB, ring), rightsOf{}))
	addClient(t, other.Store, "svc")
	tok, reqID := issue(t, other, "svc", ScopeAuthz)
	if _, err := b.VerifyAccessToken(ctx, tok); err != nil || !b.tokens.trusted() {
		t.Fatalf("verify with the listener up: %v (trusted %v)", err, b.tokens.trusted())
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "memory distrusted after the cut", func() bool { return !b.tokens.trusted() })
	if _, err := b.VerifyAccessToken(ctx, tok); !db.IsStorageFailure(err) {
		t.Fatalf("verify while the database is down = %v, want a storage failure", err)
	}
	// Down long enough for the listener to back off for seconds.
	time.Sleep(3500 * time.Millisecond)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "database back", func() bool { return other.Store.RevokeAccessToken(ctx, reqID) == nil })
	if b.tokens.trusted() {
		t.Fatal("the listener reconnected before the revocation: the test proves nothing")
	}
	if _, err := b.VerifyAccessToken(ctx, tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("a token revoked while the listener is down: %v, want ErrInvalidToken", err)
	}
	took := eventually(t, 15*time.Second, "memory trusted after the resync", b.tokens.trusted)
	t.Logf("listener resynced %v after the revocation", took)
	if _, err := b.VerifyAccessToken(ctx, tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("after the resync: %v, want ErrInvalidToken", err)
	}
	fresh, _ := issue(t, other, "svc", ScopeAuthz)
	if _, err := b.VerifyAccessToken(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	b.tokens.mu.RLock()
	n := len(b.tokens.verified)
	b.tokens.mu.RUnlock()
	if n != 1 {
		t.Fatalf("%d tokens remembered after the resync, want the fresh one", n)
	}
}

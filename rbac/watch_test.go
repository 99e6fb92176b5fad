package rbac

import (
	"context"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// watching starts s.Watch until the test ends and waits until it listens.
func watching(t *testing.T, s *Service) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	select {
	case <-s.follow.Listening():
	case err := <-done:
		t.Fatalf("Watch returned early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not start listening")
	}
}

// eventually polls cond every 10 ms for up to limit and returns how long
// it took, failing the test when it never holds.
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

// flush returns once s's watcher has handled every notification sent so
// far: notifications arrive in order, so it sends one for a marker account
// and waits until the marker leaves the cache.
func flush(t *testing.T, s *Service) {
	t.Helper()
	const marker = "id-flush"
	ctx := context.Background()
	if _, err := s.policy(ctx, marker); err != nil {
		t.Fatal(err)
	}
	if _, err := s.d.ExecContext(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, marker); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "notifications handled", func() bool { return !s.cache.Contains(marker) })
}

// TestTwoInstances runs two Services on one PostgreSQL database, as two
// Sésame instances would: a right removed through one is denied by the
// other within a second.
func TestTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: two instances on one database")
	}
	d1, url := dbtest.PostgresURL(t)
	d2, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d2.Close() })
	s1 := newService(t, d1, Options{})
	s2 := newService(t, d2, Options{})
	watching(t, s1)
	watching(t, s2)

	setOwner(t, s1, acct1, owner1)
	setGrants(t, s1, acct1, web, grant("domain:read"), grant("email:read"))
	flush(t, s2)
	// Warm: s2 answers from its cached enforcer from now on.
	if !mustAllowed(t, s2, web, acct1, "email:read", "") {
		t.Fatal("grant made through the first instance denied by the second")
	}
	if !s2.cache.Contains(acct1) {
		t.Fatal("second instance did not cache the account")
	}

	setGrants(t, s1, acct1, web, grant("domain:read"))
	took := eventually(t, time.Second, "removal seen by the second instance", func() bool {
		return !mustAllowed(t, s2, web, acct1, "email:read", "")
	})
	t.Logf("removal reached the other instance in %v", took)
	if !mustAllowed(t, s2, web, acct1, "domain:read", "") {
		t.Fatal("the right kept was lost")
	}

	// A change to another account leaves this one cached.
	flush(t, s2)
	mustAllowed(t, s2, web, acct1, "domain:read", "")
	setOwner(t, s1, acct2, owner2)
	flush(t, s2)
	if !s2.cache.Contains(acct1) {
		t.Fatal("a change to another account dropped this one")
	}
	if !mustAllowed(t, s2, owner2, acct2, "billing:pay", "") {
		t.Fatal("new owner denied on the second instance")
	}
}

// TestWatchResyncsAfterReconnect cuts the listener's connection: after it
// reconnects, the instance drops every cached enforcer, since it may have
// missed notifications meanwhile.
func TestWatchResyncsAfterReconnect(t *testing.T) {
	d, _ := dbtest.PostgresURL(t)
	s := newService(t, d, Options{})
	watching(t, s)
	if s.CacheStats().LastNotify.IsZero() {
		t.Fatal("CacheStats.LastNotify is zero once listening: the first resync does not count")
	}
	setOwner(t, s, acct1, owner1)
	setGrants(t, s, acct1, web, grant("email:read"))
	flush(t, s)
	if !mustAllowed(t, s, web, acct1, "email:read", "") {
		t.Fatal("grant not effective")
	}

	ctx := context.Background()
	// A change that announces nothing (as if its notification were lost).
	if _, err := d.ExecContext(ctx, `DELETE FROM casbin_rule WHERE v0 = $1`, web); err != nil {
		t.Fatal(err)
	}
	if !mustAllowed(t, s, web, acct1, "email:read", "") {
		t.Fatal("cache dropped without a notification: the test proves nothing")
	}
	// Kill the listening backend; the listener reconnects and resyncs.
	before := s.CacheStats().LastNotify
	res, err := d.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("terminated %d listening backends, want 1", n)
	}
	eventually(t, 5*time.Second, "resync after reconnect", func() bool {
		return !mustAllowed(t, s, web, acct1, "email:read", "")
	})
	// The resync after the reconnection counts as a sign of life.
	eventually(t, 5*time.Second, "CacheStats.LastNotify moved by the resync", func() bool {
		return s.CacheStats().LastNotify.After(before)
	})
}

// TestWatchSQLite: on SQLite Watch has nothing to listen to and returns
// when its context ends.
func TestWatchSQLite(t *testing.T) {
	s := newService(t, dbtest.SQLite(t), Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Watch(ctx); err != nil {
		t.Fatalf("Watch = %v", err)
	}
}

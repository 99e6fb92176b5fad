package rbac

import (
	"context"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// TestWatchOutage stops a private PostgreSQL under a watching instance:
// from the moment its listener is cut, the instance stops answering from
// its cache (a check fails while the database is down, and sees a change
// made elsewhere as soon as the database is back, before the listener is);
// once the listener has reconnected and resynced, the cache serves again.
func TestWatchOutage(t *testing.T) {
	srv := dbtest.StartServer(t)
	url := srv.Database("rbac")
	open := func() *db.DB {
		d, err := db.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	other := newService(t, open(), Options{}) // another instance, whose notifications b may miss
	b := newService(t, open(), Options{})
	watching(t, b)
	setOwner(t, other, acct1, owner1)
	setGrants(t, other, acct1, web, grant("email:read"))
	flush(t, b)
	if !mustAllowed(t, b, web, acct1, "email:read", "") || !b.cache.Contains(acct1) || !b.cacheTrusted() {
		t.Fatal("the cache does not serve while the listener is up")
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "cache distrusted after the cut", func() bool { return !b.cacheTrusted() })
	if _, err := b.Allowed(context.Background(), web, acct1, "email:read", ""); !db.IsStorageFailure(err) {
		t.Fatalf("check while the database is down = %v, want a storage failure", err)
	}
	// Down long enough for the listener to back off for seconds.
	time.Sleep(3500 * time.Millisecond)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eventually(t, 5*time.Second, "database back", func() bool {
		return other.d.InTx(ctx, func(ctx context.Context) error { return other.SetGrants(ctx, acct1, web, nil) }) == nil
	})
	if b.cacheTrusted() {
		t.Fatal("the listener reconnected before the change: the test proves nothing")
	}
	if mustAllowed(t, b, web, acct1, "email:read", "") {
		t.Fatal("a right removed elsewhere is still allowed while the listener is down")
	}
	took := eventually(t, 15*time.Second, "cache trusted after the resync", b.cacheTrusted)
	t.Logf("listener resynced %v after the change", took)
	if mustAllowed(t, b, web, acct1, "email:read", "") || !b.cache.Contains(acct1) {
		t.Fatal("after the resync: the removed right is allowed, or the cache does not serve")
	}
}

package dbtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// TestServer: a private server answers, is down once stopped or killed,
// and answers again once started, to the same handle.
func TestServer(t *testing.T) {
	srv := dbtest.StartServer(t)
	ctx := context.Background()
	d, err := db.Open(ctx, srv.Database("faults"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ping := func() error {
		var n int
		return d.GetContext(ctx, &n, "SELECT 1")
	}
	if err := ping(); err != nil {
		t.Fatal(err)
	}
	for name, fault := range map[string]func() error{"stop": srv.Stop, "kill": srv.Kill} {
		if err := fault(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// After a kill, sessions linger until they notice.
		err := ping()
		for deadline := time.Now().Add(5 * time.Second); err == nil && time.Now().Before(deadline); err = ping() {
			time.Sleep(50 * time.Millisecond)
		}
		if err == nil {
			t.Fatalf("after %s: the server still answers", name)
		} else if !db.IsStorageFailure(err) {
			t.Fatalf("after %s: %v is not a storage failure", name, err)
		}
		t.Logf("%s: down (%v)", name, err)
		if err := srv.Start(); err != nil {
			t.Fatalf("start after %s: %v", name, err)
		}
		if err := ping(); err != nil {
			t.Fatalf("after %s and start: %v\n%s", name, err, srv.Log())
		}
		t.Logf("%s: up again", name)
	}
}

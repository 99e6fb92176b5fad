package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// TestMaxConns: max_conns in a PostgreSQL URL bounds the pool and is not
// sent to the server; a bad value is refused before anything connects.
func TestMaxConns(t *testing.T) {
	ctx := context.Background()
	if _, err := db.Open(ctx, "postgres://postgres@127.0.0.1:1/x?max_conns=zero"); err == nil || !strings.Contains(err.Error(), "max_conns") {
		t.Fatalf("max_conns=zero: %v, want an error naming max_conns", err)
	}
	_, url := dbtest.PostgresURL(t)
	d, err := db.Open(ctx, strings.Replace(url, "max_conns=8", "max_conns=3", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.PingContext(ctx); err != nil {
		t.Fatalf("ping with max_conns in the URL: %v", err)
	}
	if got := d.Stats().MaxOpenConnections; got != 3 {
		t.Fatalf("MaxOpenConnections = %d, want 3", got)
	}
	if strings.Contains(d.URL, "max_conns") {
		t.Fatalf("URL kept for listeners still has max_conns: %s", d.URL)
	}
}

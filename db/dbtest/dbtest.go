// Package dbtest gives tests a freshly migrated database: an SQLite file in
// a temporary directory, or a new PostgreSQL database created on the server
// named by SESAME_TEST_DATABASE_URL and dropped when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/sesame-idp/sesame/db"
)

// EnvPostgres names the PostgreSQL server tests use; when unset, PostgreSQL
// tests skip.
const EnvPostgres = "SESAME_TEST_DATABASE_URL"

// SQLite returns a migrated database in a fresh SQLite file.
func SQLite(tb testing.TB) *db.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "sesame.db")
	d, err := db.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return d
}

// Postgres returns a migrated, empty PostgreSQL database created for this
// test, or skips the test when SESAME_TEST_DATABASE_URL is unset.
func Postgres(tb testing.TB) *db.DB {
	tb.Helper()
	d, _ := PostgresURL(tb)
	return d
}

// PostgresURL is Postgres that also returns the URL of the new database, for
// tests that start a second instance on it.
func PostgresURL(tb testing.TB) (*db.DB, string) {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", EnvPostgres)
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, base)
	if err != nil {
		tb.Fatalf("%s is set but PostgreSQL is unreachable: %v", EnvPostgres, err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "sesame_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	d, err := db.Open(ctx, u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		d.Close()
		admin, err := db.Open(context.Background(), base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	if _, err := d.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return d, d.URL
}

// Each runs fn as two subtests, "sqlite" and "postgres", each on its own
// fresh database. The PostgreSQL one skips when no server is configured.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

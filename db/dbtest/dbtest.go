// Package dbtest gives tests a freshly migrated database: an SQLite file in
// a temporary directory, or a new PostgreSQL database created on the server
// named by SESAME_TEST_DATABASE_URL and dropped once the test ends (in the
// background; see owner.go).
//
// Migrating costs more than the rest of most tests, so each database is a
// copy of one migrated once: on PostgreSQL a template database per set of
// migrations (CREATE DATABASE … TEMPLATE), kept on the server for the next
// runs; on SQLite a file migrated once per test binary, held in memory.
// The copies hold what migrating gives, goose's version table included.
// EmptySQLite and EmptyPostgres give unmigrated databases, for tests of
// the migrations themselves.
package dbtest

import (
	"context"
	"os"
	"testing"

	"github.com/sesame-idp/sesame/db"
)

// EnvPostgres names the PostgreSQL server tests use; when unset, PostgreSQL
// tests skip.
const EnvPostgres = "SESAME_TEST_DATABASE_URL"

// SQLite returns a migrated database in a fresh SQLite file.
func SQLite(tb testing.TB) *db.DB {
	tb.Helper()
	image, err := migratedSQLite()
	if err != nil {
		tb.Fatalf("migrate the SQLite template: %v", err)
	}
	return openSQLite(tb, image)
}

// EmptySQLite returns a fresh SQLite file with no table.
func EmptySQLite(tb testing.TB) *db.DB {
	tb.Helper()
	return openSQLite(tb, nil)
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
	base := serverURL(tb)
	tmpl, err := postgresTemplate(base)
	if err != nil {
		tb.Fatalf("migrate the PostgreSQL template: %v", err)
	}
	return createPostgres(tb, base, tmpl)
}

// EmptyPostgres returns a PostgreSQL database created for this test with
// no table, or skips the test when SESAME_TEST_DATABASE_URL is unset.
func EmptyPostgres(tb testing.TB) *db.DB {
	tb.Helper()
	d, _ := createPostgres(tb, serverURL(tb), "")
	return d
}

// serverURL returns the URL of the test server, or skips the test.
func serverURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", EnvPostgres)
	}
	return base
}

// Each runs fn as two subtests, "sqlite" and "postgres", each on its own
// fresh database. The PostgreSQL one skips when no server is configured.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// mustMigrate applies what is pending on d (nothing, for a copy of a
// template): a copy that is not up to date fails here, not in the test.
func mustMigrate(tb testing.TB, d *db.DB) {
	tb.Helper()
	if _, err := d.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

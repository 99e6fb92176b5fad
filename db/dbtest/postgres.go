package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"sync"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/migrations"
)

// templates holds, by server URL, the template database of this test
// binary's migrations: looked up (or built) once per binary.
var templates sync.Map // string → *template

type template struct {
	once sync.Once
	name string
	err  error
}

// postgresTemplate returns the name of the migrated template database on
// the server base.
func postgresTemplate(base string) (string, error) {
	v, _ := templates.LoadOrStore(base, &template{})
	t := v.(*template)
	t.once.Do(func() { t.name, t.err = buildTemplate(context.Background(), base) })
	return t.name, t.err
}

// buildTemplate makes sure the server holds a database migrated with the
// embedded PostgreSQL migrations, named after their digest so that a
// changed migration gets a template of its own, and returns its name. The
// test binaries of one `go test ./...` run at once: an advisory lock lets
// one build it while the others wait. It is migrated under another name
// and renamed when complete, so that a build cut short leaves no template
// behind.
func buildTemplate(ctx context.Context, base string) (string, error) {
	sum, err := migrationsDigest()
	if err != nil {
		return "", err
	}
	name := "sesame_template_" + hex.EncodeToString(sum[:8])
	admin, err := db.Open(ctx, base)
	if err != nil {
		return "", fmt.Errorf("%s is set but PostgreSQL is unreachable: %w", EnvPostgres, err)
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	key := int64(binary.BigEndian.Uint64(sum[8:16]))
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, key) //nolint:errcheck // the session ends next
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	u, err := withDatabase(base, building)
	if err != nil {
		return "", err
	}
	d, err := db.Open(ctx, u)
	if err != nil {
		return "", err
	}
	_, err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", err
	}
	return name, nil
}

// migrationsDigest is the SHA-256 of the PostgreSQL migrations' names and
// contents.
func migrationsDigest() ([sha256.Size]byte, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, "postgres", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum, err
}

// createPostgres creates a database for the test on the server base, a
// copy of template (an empty one when template is ""), and drops it once
// the test ends.
func createPostgres(tb testing.TB, base, template string) (*db.DB, string) {
	tb.Helper()
	ctx := context.Background()
	o, err := ownerOf(base)
	if err != nil {
		tb.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := dbPrefix + hex.EncodeToString(b[:])
	if err := o.hold(ctx, name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + template
	}
	if _, err := o.admin.ExecContext(ctx, create); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	// Registered first, so run last: after the test's own clean-up has
	// closed what it opened on the database.
	tb.Cleanup(func() { o.dropLater(name) })
	u, err := withDatabase(base, name)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := db.Open(ctx, u)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	if template != "" {
		mustMigrate(tb, d)
	}
	return d, u
}

// withDatabase returns the server URL base naming the database name.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	// Many test instances share one server (100 connections by default):
	// a small pool each, unless the base URL says otherwise.
	q := u.Query()
	if q.Get("max_conns") == "" {
		q.Set("max_conns", "8")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

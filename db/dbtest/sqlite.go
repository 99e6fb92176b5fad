package dbtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sesame-idp/sesame/db"
)

// sqliteImage is the file of a migrated SQLite database, made once per
// test binary.
var sqliteImage struct {
	once  sync.Once
	bytes []byte
	err   error
}

func migratedSQLite() ([]byte, error) {
	sqliteImage.once.Do(func() { sqliteImage.bytes, sqliteImage.err = buildSQLite() })
	return sqliteImage.bytes, sqliteImage.err
}

// buildSQLite migrates a database in a temporary file and returns the
// file, its write-ahead log folded in.
func buildSQLite() ([]byte, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sesame-dbtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		return nil, err
	}
	_, err = d.Migrate(ctx)
	if err == nil {
		_, err = d.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("%d bytes left in the write-ahead log", fi.Size())
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return os.ReadFile(path)
}

// openSQLite opens a database in a fresh file of the test's temporary
// directory, holding image (nothing when image is nil).
func openSQLite(tb testing.TB, image []byte) *db.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "sesame.db")
	if image != nil {
		if err := os.WriteFile(path, image, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	d, err := db.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	if image != nil {
		mustMigrate(tb, d)
	}
	return d
}

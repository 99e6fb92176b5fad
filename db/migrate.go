package db

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/sesame-idp/sesame/migrations"
)

// Migrate applies the pending embedded migrations of the handle's dialect
// and returns how many it applied. On PostgreSQL an advisory lock lets
// several instances start at once.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	fsys, err := fs.Sub(migrations.FS, string(d.Dialect))
	if err != nil {
		return 0, fmt.Errorf("db: migrations for %s: %w", d.Dialect, err)
	}
	var (
		dialect goose.Dialect
		opts    []goose.ProviderOption
	)
	switch d.Dialect {
	case Postgres:
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return 0, fmt.Errorf("db: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	case SQLite:
		dialect = goose.DialectSQLite3
	}
	p, err := goose.NewProvider(dialect, d.DB.DB, fsys, opts...)
	if err != nil {
		return 0, fmt.Errorf("db: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: migrate: %w", err)
	}
	return len(results), nil
}

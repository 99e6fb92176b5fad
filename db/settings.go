package db

import (
	"context"
	"fmt"
)

// The settings table is a small key/value store for facts the instances
// must agree on (the generated secret, one-time seeding). Package db owns
// it; other packages go through these methods.

// Setting returns the value stored under name, or ErrNotFound.
func (d *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := d.GetContext(ctx, &v, d.Rebind(`SELECT value FROM settings WHERE name = ?`), name)
	if err != nil {
		return "", fmt.Errorf("db: setting %s: %w", name, Translate(err))
	}
	return v, nil
}

// InitSetting stores value under name unless a value is already there; the
// first writer wins, so instances starting together agree. It reports
// whether this call stored it.
func (d *DB) InitSetting(ctx context.Context, name, value string) (bool, error) {
	res, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), name, value)
	if err != nil {
		return false, fmt.Errorf("db: init setting %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SwapSetting replaces the value under name by value if it is still old,
// and reports whether it did: of several instances doing the same work
// for the same old value, exactly one wins.
func (d *DB) SwapSetting(ctx context.Context, name, old, value string) (bool, error) {
	res, err := d.ExecContext(ctx, d.Rebind(`UPDATE settings SET value = ? WHERE name = ? AND value = ?`), value, name, old)
	if err != nil {
		return false, fmt.Errorf("db: swap setting %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

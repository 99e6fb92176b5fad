package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"github.com/sesame-idp/sesame/db"
)

type txKey struct{}

// txFrom returns the transaction ctx carries, or nil.
func txFrom(ctx context.Context) *sqlx.Tx {
	tx, _ := ctx.Value(txKey{}).(*sqlx.Tx)
	return tx
}

// ContextWithTx returns a context whose store calls run in tx, so that a
// caller can revoke tokens in the same transaction as, say, disabling the
// person they belong to. The caller commits or rolls tx back itself.
func ContextWithTx(ctx context.Context, tx *sqlx.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// BeginTX starts a transaction and returns a context carrying it; every
// Store method called with that context runs in it until Commit or
// Rollback. Transactions do not nest: BeginTX fails on a context that
// already carries one.
func (s *Store) BeginTX(ctx context.Context) (context.Context, error) {
	if txFrom(ctx) != nil {
		return ctx, errors.New("sqlstore: begin: the context already carries a transaction")
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return ctx, fail("begin", err)
	}
	return ContextWithTx(ctx, tx), nil
}

// Commit commits the transaction ctx carries.
func (s *Store) Commit(ctx context.Context) error {
	tx := txFrom(ctx)
	if tx == nil {
		return errors.New("sqlstore: commit: no transaction in context")
	}
	return fail("commit", tx.Commit())
}

// Rollback rolls back the transaction ctx carries. Rolling back a
// transaction that already ended (fosite does so after a failed commit) is
// not an error.
func (s *Store) Rollback(ctx context.Context) error {
	tx := txFrom(ctx)
	if tx == nil {
		return errors.New("sqlstore: rollback: no transaction in context")
	}
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fail("rollback", err)
	}
	return nil
}

// inTx runs fn in the transaction ctx carries, or in a new one committed
// when fn returns nil. Never opening a second transaction matters on
// SQLite, where it would wait for the write lock the first one holds.
func (s *Store) inTx(ctx context.Context, fn func(q db.Queryer) error) error {
	if tx := txFrom(ctx); tx != nil {
		return fn(tx)
	}
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error { return fn(tx) })
}

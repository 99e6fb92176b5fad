package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Sésame has one way to be in a transaction: it travels in the context.
// InTx (or Begin for callers such as fosite that commit themselves) puts
// a transaction in ctx, and every query method of DB called with that ctx
// runs in it. A store therefore never asks which handle to use, a service
// can call another service's store methods inside its own transaction,
// and no request path holds one connection while it waits for a second
// one (on "sqlite::memory:", which has a single connection, that would
// wait forever).

// txKey carries a *txState in a context.
type txKey struct{}

type txState struct {
	db          *DB
	tx          *sqlx.Tx
	afterCommit []func()
}

// ErrNestedBegin is returned by Begin on a context that already carries a
// transaction of the same database.
var ErrNestedBegin = errors.New("db: begin: the context already carries a transaction")

// state returns the transaction of d that ctx carries, or nil.
func (d *DB) state(ctx context.Context) *txState {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st.db == d {
		return st
	}
	return nil
}

// tx returns the transaction of d that ctx carries, or nil.
func (d *DB) tx(ctx context.Context) *sqlx.Tx {
	if st := d.state(ctx); st != nil {
		return st.tx
	}
	return nil
}

// AfterCommit runs fn once the transaction ctx carries has committed, or
// at once when ctx carries none. A rolled-back transaction drops fn. Caches
// use it: dropped before commit, an entry could be reloaded from the old
// rows by a concurrent reader and stay stale.
func (d *DB) AfterCommit(ctx context.Context, fn func()) {
	if st := d.state(ctx); st != nil {
		st.afterCommit = append(st.afterCommit, fn)
		return
	}
	fn()
}

// InTransaction reports whether ctx carries a transaction of d.
func (d *DB) InTransaction(ctx context.Context) bool { return d.tx(ctx) != nil }

// InTx runs fn with a context that carries a transaction, committing when
// fn returns nil and rolling back otherwise. When ctx already carries a
// transaction of d, fn joins it: the outermost InTx commits.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if d.tx(ctx) != nil {
		return fn(ctx)
	}
	txCtx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer d.Rollback(txCtx) //nolint:errcheck // a no-op after Commit
	if err := fn(txCtx); err != nil {
		return err
	}
	return d.Commit(txCtx)
}

// Begin starts a transaction and returns a context that carries it, for
// callers that commit themselves (fosite's storage.Transactional). Prefer
// InTx.
func (d *DB) Begin(ctx context.Context) (context.Context, error) {
	if d.tx(ctx) != nil {
		return ctx, ErrNestedBegin
	}
	tx, err := d.DB.BeginTxx(ctx, nil)
	if err != nil {
		return ctx, fmt.Errorf("db: begin: %w", err)
	}
	return context.WithValue(ctx, txKey{}, &txState{db: d, tx: tx}), nil
}

// Commit commits the transaction ctx carries.
func (d *DB) Commit(ctx context.Context) error {
	st := d.state(ctx)
	if st == nil {
		return errors.New("db: commit: no transaction in context")
	}
	if err := st.tx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	for _, fn := range st.afterCommit {
		fn()
	}
	st.afterCommit = nil
	return nil
}

// Rollback rolls back the transaction ctx carries. Rolling back a
// transaction that already ended is not an error.
func (d *DB) Rollback(ctx context.Context) error {
	tx := d.tx(ctx)
	if tx == nil {
		return errors.New("db: rollback: no transaction in context")
	}
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("db: rollback: %w", err)
	}
	return nil
}

// queryer is what both *sqlx.DB and *sqlx.Tx offer.
type queryer interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row
}

var (
	_ queryer = (*sqlx.DB)(nil)
	_ queryer = (*sqlx.Tx)(nil)
)

// on returns the transaction ctx carries, or the pool.
func (d *DB) on(ctx context.Context) queryer {
	if tx := d.tx(ctx); tx != nil {
		return tx
	}
	return d.DB
}

// The query methods below shadow those of the embedded *sqlx.DB: each runs
// in the transaction ctx carries, if any.

// ExecContext runs a statement in ctx's transaction, or on the pool.
func (d *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, span := d.span(ctx, query)
	res, err := d.on(ctx).ExecContext(ctx, query, args...)
	endSpan(span, err)
	return res, err
}

// GetContext reads one row into dest, in ctx's transaction or on the pool.
func (d *DB) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	ctx, span := d.span(ctx, query)
	err := d.on(ctx).GetContext(ctx, dest, query, args...)
	endSpan(span, err)
	return err
}

// SelectContext reads rows into dest, in ctx's transaction or on the pool.
func (d *DB) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	ctx, span := d.span(ctx, query)
	err := d.on(ctx).SelectContext(ctx, dest, query, args...)
	endSpan(span, err)
	return err
}

// QueryxContext runs a query in ctx's transaction, or on the pool. Its
// span ends when the query has answered, before the rows are read.
func (d *DB) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	ctx, span := d.span(ctx, query)
	rows, err := d.on(ctx).QueryxContext(ctx, query, args...)
	endSpan(span, err)
	return rows, err
}

// QueryRowxContext runs a one-row query in ctx's transaction, or on the
// pool.
func (d *DB) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	ctx, span := d.span(ctx, query)
	row := d.on(ctx).QueryRowxContext(ctx, query, args...)
	endSpan(span, row.Err())
	return row
}

// QueryContext runs a query in ctx's transaction, or on the pool. Its
// span ends when the query has answered, before the rows are read.
func (d *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, span := d.span(ctx, query)
	rows, err := d.on(ctx).QueryContext(ctx, query, args...)
	endSpan(span, err)
	return rows, err
}

// QueryRowContext runs a one-row query in ctx's transaction, or on the
// pool.
func (d *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx, span := d.span(ctx, query)
	var row *sql.Row
	if tx := d.tx(ctx); tx != nil {
		row = tx.QueryRowContext(ctx, query, args...)
	} else {
		row = d.DB.QueryRowContext(ctx, query, args...)
	}
	endSpan(span, row.Err())
	return row
}

package sqlstore

import (
	"context"
	"errors"

	"github.com/sesame-idp/sesame/db"
)

// BeginTX starts a transaction and returns a context carrying it; every
// Store method called with that context runs in it until Commit or
// Rollback. Transactions do not nest: BeginTX fails on a context that
// already carries one. Callers of Sésame's own packages use db.InTx
// instead; this is fosite's storage.Transactional.
func (s *Store) BeginTX(ctx context.Context) (context.Context, error) {
	txCtx, err := s.db.Begin(ctx)
	if errors.Is(err, db.ErrNestedBegin) {
		return ctx, errors.New("sqlstore: begin: the context already carries a transaction")
	}
	return txCtx, fail("begin", err)
}

// Commit commits the transaction ctx carries.
func (s *Store) Commit(ctx context.Context) error {
	return fail("commit", s.db.Commit(ctx))
}

// Rollback rolls back the transaction ctx carries. Rolling back a
// transaction that already ended (fosite does so after a failed commit) is
// not an error.
func (s *Store) Rollback(ctx context.Context) error {
	return fail("rollback", s.db.Rollback(ctx))
}

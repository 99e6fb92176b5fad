package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db"
)

// ErrInvalidClient is returned (wrapped, with the reason) by CreateClient
// for a client that cannot be stored as given.
var ErrInvalidClient = errors.New("invalid client")

// errNotFound is what a missing row becomes: it satisfies errors.Is for both
// fosite.ErrNotFound, which fosite's handlers test, and db.ErrNotFound,
// which the rest of Sésame tests.
var errNotFound error = notFoundError{}

type notFoundError struct{}

func (notFoundError) Error() string { return "not found" }

func (notFoundError) Is(target error) bool {
	return target == db.ErrNotFound || fosite.ErrNotFound.Is(target)
}

// fail wraps err with the package prefix and op, translating driver errors
// to the sentinels callers test: no rows to errNotFound, a unique violation
// to db.ErrAlreadyExists, a lost race to fosite.ErrSerializationFailure.
func fail(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: %s: %w", op, errNotFound)
	case db.IsUniqueViolation(err):
		return fmt.Errorf("sqlstore: %s: %w", op, db.ErrAlreadyExists)
	case db.IsSerializationFailure(err):
		return fmt.Errorf("sqlstore: %s: %w: %w", op, fosite.ErrSerializationFailure, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

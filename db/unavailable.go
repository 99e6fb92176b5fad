package db

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"

	"github.com/lib/pq"
	"modernc.org/sqlite"
)

// IsStorageFailure reports whether err comes from the database itself
// rather than from what was asked of it: the server unreachable or gone,
// a connection lost, or a driver error that Translate did not turn into a
// sentinel. Such a failure is the service's, never the caller's.
func IsStorageFailure(err error) bool {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrAlreadyExists) {
		return false
	}
	var pqErr *pq.Error
	var sqliteErr *sqlite.Error
	var netErr net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.As(err, &pqErr) || errors.As(err, &sqliteErr) || errors.As(err, &netErr)
}

package dbtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/sesame-idp/sesame/db"
)

// Test databases are dropped in the background once their test ends, since
// DROP DATABASE can take a second on a busy server (it waits for a
// checkpoint). The test binary may exit before a drop is done: each
// database carries an advisory lock of the binary's owner session while it
// lives, so a later binary that gets the lock knows the database is
// abandoned and drops it.

// dbPrefix names the databases this package creates and drops.
const dbPrefix = "sesame_tmp_"

// owners holds, by server URL, this binary's owner session.
var owners sync.Map // string → *owner

// owner is an administrative handle on a server and the session whose
// advisory locks mark the databases this binary has not dropped yet.
type owner struct {
	once  sync.Once
	admin *db.DB
	conn  *sql.Conn
	err   error
	mu    sync.Mutex // serializes the use of conn
}

// ownerOf returns the owner session on the server base, opening it (and
// starting the removal of abandoned databases) the first time.
func ownerOf(base string) (*owner, error) {
	v, _ := owners.LoadOrStore(base, &owner{})
	o := v.(*owner)
	o.once.Do(func() {
		ctx := context.Background()
		o.admin, o.err = db.Open(ctx, base)
		if o.err != nil {
			o.err = fmt.Errorf("%s is set but PostgreSQL is unreachable: %w", EnvPostgres, o.err)
			return
		}
		if o.conn, o.err = o.admin.Conn(ctx); o.err != nil {
			return
		}
		go o.reapAbandoned(ctx)
	})
	return o, o.err
}

// lockKey is the advisory lock key of the database name.
func lockKey(name string) int64 {
	sum := sha256.Sum256([]byte("sesame dbtest " + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// hold marks name as in use by this binary.
func (o *owner) hold(ctx context.Context, name string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, err := o.conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey(name))
	return err
}

// dropLater drops name in the background, then releases its mark.
func (o *owner) dropLater(name string) {
	go func() {
		ctx := context.Background()
		if _, err := o.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return // keep the mark: the database is not abandoned, only left
		}
		o.mu.Lock()
		defer o.mu.Unlock()
		o.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, lockKey(name)) //nolint:errcheck // the session's end releases it anyway
	}()
}

// reapAbandoned drops the test databases whose binary ended before it
// dropped them: those whose mark it can take. It uses a session of its
// own, since advisory locks are reentrant within a session.
func (o *owner) reapAbandoned(ctx context.Context) {
	conn, err := o.admin.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	var names []string
	rows, err := conn.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE $1`, dbPrefix+"%")
	if err != nil {
		return
	}
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		var free bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey(n)).Scan(&free); err != nil || !free {
			continue
		}
		conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n+" WITH (FORCE)") //nolint:errcheck // tried again by the next binary
		conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, lockKey(n))  //nolint:errcheck // the session ends next
	}
}

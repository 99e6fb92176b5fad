package db

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // registers the "postgres" driver
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

func init() {
	// sqlx only knows the bind style of the drivers it was written for;
	// without this Rebind leaves '?' untouched for "sqlite", which happens to
	// be right, but say so explicitly rather than rely on the default.
	sqlx.BindDriver("sqlite", sqlx.QUESTION)
}

// Dialect names the SQL engine behind a DB.
type Dialect string

// The two engines Sésame runs on.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is a database handle that knows its dialect.
type DB struct {
	*sqlx.DB
	Dialect Dialect
	// URL is the address the handle was opened with (PostgreSQL only; used
	// by LISTEN/NOTIFY listeners that need their own connection).
	URL string
}

// DefaultURL is the database used when SESAME_DATABASE_URL is unset.
const DefaultURL = "sqlite:sesame.db"

// Open connects to the database named by rawURL: "sqlite:PATH" (or
// "sqlite::memory:" for a private in-memory database) or a "postgres://" URL.
// It checks the connection before returning.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	var (
		d   *DB
		err error
	)
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		d, err = openSQLite(strings.TrimPrefix(rawURL, "sqlite:"))
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		d, err = openPostgres(rawURL)
	default:
		return nil, fmt.Errorf("db: unsupported database URL %q (want sqlite:PATH or postgres://…)", Redact(rawURL))
	}
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.PingContext(pingCtx); err != nil {
		d.Close()
		return nil, fmt.Errorf("db: connect to %s: %w", Redact(rawURL), err)
	}
	return d, nil
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: empty SQLite path")
	}
	memory := path == ":memory:"
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// IMMEDIATE transactions take the write lock at BEGIN, so two writers
	// queue on busy_timeout instead of failing with SQLITE_BUSY on upgrade.
	q.Set("_txlock", "immediate")
	// One textual format in UTC: comparisons in SQL stay lexicographic.
	q.Set("_time_format", "sqlite")
	q.Set("_timezone", "UTC")
	dsn := "file:" + path + "?" + q.Encode()
	x, err := sqlx.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	if memory {
		// Each connection to ":memory:" is its own database: keep one.
		x.SetMaxOpenConns(1)
	} else {
		x.SetMaxOpenConns(8)
	}
	x.SetMaxIdleConns(8)
	return &DB{DB: x, Dialect: SQLite}, nil
}

// DefaultMaxConns bounds the connections one instance opens to
// PostgreSQL for queries; `max_conns=N` in the URL sets another bound.
// Listeners (LISTEN/NOTIFY) take a few more, one each.
const DefaultMaxConns = 32

func openPostgres(rawURL string) (*DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("db: parse PostgreSQL URL: %w", err)
	}
	q := u.Query()
	// lib/pq defaults to sslmode=require, which a local server refuses.
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	// max_conns is Sésame's, not the server's: lib/pq would send it on as
	// a run-time parameter, which the server refuses.
	maxConns := DefaultMaxConns
	if v := q.Get("max_conns"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("db: max_conns %q: want a positive number", v)
		}
		maxConns = n
		q.Del("max_conns")
	}
	u.RawQuery = q.Encode()
	x, err := sqlx.Open("postgres", u.String())
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", err)
	}
	x.SetMaxOpenConns(maxConns)
	x.SetMaxIdleConns(maxConns)
	x.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{DB: x, Dialect: Postgres, URL: u.String()}, nil
}

// Redact returns rawURL with its password hidden, for errors and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Now returns the current time in UTC truncated to microseconds, the
// precision both engines keep, so that a value read back equals the value
// written.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

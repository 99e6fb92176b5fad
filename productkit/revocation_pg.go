package productkit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// PostgresConfig configures a PostgresRevocations.
type PostgresConfig struct {
	// DB is the product's PostgreSQL database, opened by the product
	// (e.g. sql.Open("postgres", url) with github.com/lib/pq). Required.
	DB *sql.DB
	// Table is the table's name, optionally schema-qualified. Defaults to
	// DefaultRevocationsTable. Products sharing one database need one
	// table each.
	Table string
	// Retention is how long records are kept. Defaults to
	// DefaultRetention.
	Retention time.Duration
	// CacheTTL is how long an instance reuses a Lookup before asking the
	// database again: a revocation recorded by another instance is seen
	// after at most CacheTTL. Defaults to 250 ms, at most 1 s; negative
	// disables the cache.
	CacheTTL time.Duration
	// CacheSize bounds the lookups kept. Defaults to 10,000.
	CacheSize int
	// Now gives the time. Defaults to time.Now.
	Now func() time.Time
}

// DefaultRevocationsTable is the table PostgresRevocations uses unless
// told otherwise.
const DefaultRevocationsTable = "productkit_revocations"

// PostgresRevocations is a RevocationStore in one PostgreSQL table, shared
// by every instance of a product. It creates its table when missing
// (RevocationsSchema shows the statements). Each instance keeps the
// lookups it made for CacheTTL (250 ms by default), so that checking
// every request costs one query per person and session every 250 ms at
// most, and a revocation recorded anywhere is seen everywhere within that
// time. Its own records clear its cache at once.
type PostgresRevocations struct {
	db        *sql.DB
	table     string
	retention time.Duration
	ttl       time.Duration
	size      int
	now       func() time.Time

	mu     sync.Mutex
	cache  map[string]cachedLookup
	purged time.Time
}

type cachedLookup struct {
	r       Revocation
	expires time.Time
}

var _ RevocationStore = (*PostgresRevocations)(nil)

// tableName accepts "name" or "schema.name" of plain identifiers.
var tableName = regexp.MustCompile(`^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$`)

// RevocationsSchema returns the statements that create the table (and its
// index) of a PostgresRevocations, for a product that manages its schema
// itself. kind is 'sid', 'sub', 'claims' or 'jti'; key the sid, sub or
// jti; at when the event took effect (Sésame's clock); rights the new
// rights of a 'claims' row as a JSON array; expires_at when the row may
// be deleted.
func RevocationsSchema(table string) string {
	index := table[strings.LastIndex(table, ".")+1:] + "_expires_at"
	return `CREATE TABLE IF NOT EXISTS ` + table + ` (
	kind text NOT NULL CHECK (kind IN ('sid', 'sub', 'claims', 'jti')),
	key text NOT NULL,
	at timestamptz NOT NULL,
	rights text,
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS ` + index + ` ON ` + table + ` (expires_at);`
}

// NewPostgresRevocations checks cfg and creates the table when it is
// missing (several instances starting at once are serialized by an
// advisory lock).
func NewPostgresRevocations(ctx context.Context, cfg PostgresConfig) (*PostgresRevocations, error) {
	if cfg.DB == nil {
		return nil, errors.New("productkit: the PostgreSQL revocation store needs a database")
	}
	if cfg.Table == "" {
		cfg.Table = DefaultRevocationsTable
	}
	if !tableName.MatchString(cfg.Table) {
		return nil, fmt.Errorf("productkit: table name %q: want [schema.]name of lower-case letters, digits and _", cfg.Table)
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	switch {
	case cfg.CacheTTL == 0:
		cfg.CacheTTL = 250 * time.Millisecond
	case cfg.CacheTTL > time.Second:
		cfg.CacheTTL = time.Second
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 10000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &PostgresRevocations{
		db: cfg.DB, table: cfg.Table, retention: cfg.Retention, ttl: cfg.CacheTTL, size: cfg.CacheSize,
		now: cfg.Now, cache: map[string]cachedLookup{},
	}
	if err := s.createTable(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *PostgresRevocations) createTable(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("productkit: revocation table: %w", err)
	}
	defer tx.Rollback()
	// CREATE TABLE IF NOT EXISTS is not safe against itself: two
	// instances creating the table at once may both try.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "productkit:"+s.table); err != nil {
		return fmt.Errorf("productkit: revocation table: %w", err)
	}
	for _, stmt := range strings.Split(RevocationsSchema(s.table), ";\n") {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("productkit: revocation table: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("productkit: revocation table: %w", err)
	}
	return nil
}

// Record implements RevocationStore: the jti and the event are written in
// one transaction, so that an event whose recording failed can be
// delivered again.
func (s *PostgresRevocations) Record(ctx context.Context, e Event) error {
	if err := e.check(); err != nil {
		return err
	}
	now := s.now().UTC()
	kind, key := "sub", e.Sub
	switch e.Kind {
	case SessionEnded:
		kind, key = "sid", e.SID
	case ClaimsChanged:
		kind = "claims"
	}
	var rights sql.NullString
	if e.Kind == ClaimsChanged {
		b, _ := json.Marshal(append([]string{}, e.Rights...))
		rights = sql.NullString{String: string(b), Valid: true}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("productkit: record revocation: %w", err)
	}
	defer tx.Rollback()
	if e.JTI != "" {
		// A jti whose row outlived its expiry (not purged yet) is free.
		res, err := tx.ExecContext(ctx, `INSERT INTO `+s.table+` AS t (kind, key, at, expires_at) VALUES ('jti', $1, $2, $3)
			ON CONFLICT (kind, key) DO UPDATE SET at = EXCLUDED.at, expires_at = EXCLUDED.expires_at WHERE t.expires_at <= $2`,
			e.JTI, now, e.JTIUntil.UTC())
		if err != nil {
			return fmt.Errorf("productkit: record jti: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("productkit: record jti: %w", err)
		} else if n == 0 {
			return ErrReplay
		}
	}
	// The newest event of a key wins; an older one arriving late changes
	// nothing; of two in the same second, the later received wins.
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+s.table+` AS t (kind, key, at, rights, expires_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kind, key) DO UPDATE SET at = EXCLUDED.at, rights = EXCLUDED.rights, expires_at = EXCLUDED.expires_at
		WHERE t.at <= EXCLUDED.at OR t.expires_at <= $6`,
		kind, key, e.At.UTC(), rights, now.Add(s.retention), now); err != nil {
		return fmt.Errorf("productkit: record revocation: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("productkit: record revocation: %w", err)
	}
	s.mu.Lock()
	clear(s.cache)
	purge := now.Sub(s.purged) >= 10*time.Minute
	if purge {
		s.purged = now
	}
	s.mu.Unlock()
	if purge {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM `+s.table+` WHERE expires_at <= $1`, now); err != nil {
			return fmt.Errorf("productkit: purge revocations: %w", err)
		}
	}
	return nil
}

// Lookup implements RevocationStore.
func (s *PostgresRevocations) Lookup(ctx context.Context, sub, sid string) (Revocation, error) {
	key := sub + "\x00" + sid
	now := s.now()
	if s.ttl > 0 {
		s.mu.Lock()
		c, ok := s.cache[key]
		s.mu.Unlock()
		if ok && now.Before(c.expires) {
			r := c.r
			r.Rights = slices.Clone(r.Rights)
			return r, nil
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT kind, at, rights FROM `+s.table+`
		WHERE ((kind = 'sid' AND key = $1) OR (kind IN ('sub', 'claims') AND key = $2)) AND expires_at > $3`,
		sid, sub, now.UTC())
	if err != nil {
		return Revocation{}, fmt.Errorf("productkit: look up revocations: %w", err)
	}
	defer rows.Close()
	var r Revocation
	for rows.Next() {
		var kind string
		var at time.Time
		var rights sql.NullString
		if err := rows.Scan(&kind, &at, &rights); err != nil {
			return Revocation{}, fmt.Errorf("productkit: look up revocations: %w", err)
		}
		switch {
		case kind == "sid" && sid != "":
			r.SessionEndedAt = at
		case kind == "sub" && sub != "":
			r.SubjectEndedAt = at
		case kind == "claims" && sub != "":
			r.ClaimsChangedAt = at
			if err := json.Unmarshal([]byte(rights.String), &r.Rights); err != nil {
				return Revocation{}, fmt.Errorf("productkit: rights of %s: %w", sub, err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return Revocation{}, fmt.Errorf("productkit: look up revocations: %w", err)
	}
	if s.ttl > 0 {
		s.mu.Lock()
		if len(s.cache) >= s.size {
			for k, c := range s.cache {
				if !now.Before(c.expires) || len(s.cache) >= s.size*9/10 {
					delete(s.cache, k)
				}
			}
		}
		s.cache[key] = cachedLookup{r: r, expires: now.Add(s.ttl)}
		s.mu.Unlock()
	}
	return r, nil
}

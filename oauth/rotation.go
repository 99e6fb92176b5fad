package oauth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// rotationLock is the PostgreSQL advisory lock that serialises scheduled
// rotations across instances.
const rotationLock = 0x5e5a_4e01

// RotateIfOlder rotates the key of alg when the newest key of alg (active
// or waiting to activate) was created maxAge ago or more, and returns the
// new key; nil when no rotation was due. However many instances call it
// at once, one period gets one rotation: the check and the rotation run in
// one transaction that holds an advisory lock on PostgreSQL (and SQLite's
// single writer lock), so a second caller waits, then sees the key the
// first one made. The keys loaded in memory are looked at first: when the
// newest of alg is younger than maxAge, no rotation can be due (a key
// another instance made since is only newer) and the database is not
// touched, so that the instances calling it at every key reload do not
// take the lock for nothing.
func (ks *KeySet) RotateIfOlder(ctx context.Context, alg string, maxAge, activateAfter time.Duration) (*SigningKey, error) {
	if newest, ok := ks.newestLoaded(alg); ok && ks.now().Sub(newest) < maxAge {
		return nil, nil
	}
	var k *SigningKey
	err := ks.db.InTx(ctx, func(ctx context.Context) error {
		if ks.db.Dialect == db.Postgres {
			if _, err := ks.db.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+strconv.Itoa(rotationLock)+`)`); err != nil {
				return fmt.Errorf("oauth: rotation lock: %w", err)
			}
		}
		var newest time.Time
		err := ks.db.GetContext(ctx, &newest, ks.db.Rebind(`SELECT created_at FROM signing_keys WHERE alg = ? ORDER BY created_at DESC LIMIT 1`), alg)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("oauth: newest %s signing key: %w", alg, err)
		}
		if err == nil && ks.now().Sub(newest) < maxAge {
			return nil
		}
		k, err = ks.rotateTx(ctx, alg, activateAfter)
		return err
	})
	if err != nil || k == nil {
		return nil, err
	}
	return k, ks.reload(ctx)
}

// ParseRotation reads a rotation period such as "30d", "12h" or "90m"
// (SESAME_KEY_ROTATION): a Go duration, or a whole number of days.
func ParseRotation(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("oauth: rotation period %q: a whole number of days such as 30d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("oauth: rotation period %q: a duration such as 30d or 720h", s)
	}
	return d, nil
}

// newestLoaded returns the creation time of the newest key of alg loaded
// in memory (active or waiting to activate); false when none is.
func (ks *KeySet) newestLoaded(alg string) (time.Time, bool) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	var newest time.Time
	found := false
	for _, k := range ks.byKID {
		if k.Alg == alg && (!found || k.CreatedAt.After(newest)) {
			newest, found = k.CreatedAt, true
		}
	}
	return newest, found
}

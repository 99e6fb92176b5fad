package rbac

import (
	"sync/atomic"
	"time"
)

// CacheStats is the state of the enforcer cache, for monitoring.
type CacheStats struct {
	Size         int    // account enforcers kept
	Hits, Misses uint64 // lookups answered from the cache, and not
	// LastNotify is when the listener last heard from PostgreSQL: a
	// change notification, or the resync done when it starts listening
	// and after every reconnection; zero when none has (SQLite, or not
	// yet listening).
	LastNotify time.Time
}

type cacheCounters struct {
	hits, misses atomic.Uint64
	lastNotify   atomic.Int64 // unix nanoseconds
}

func (c *cacheCounters) notified() { c.lastNotify.Store(time.Now().UnixNano()) }

// CacheStats returns the state of the enforcer cache.
func (s *Service) CacheStats() CacheStats {
	st := CacheStats{Size: s.cache.Len(), Hits: s.stats.hits.Load(), Misses: s.stats.misses.Load()}
	if n := s.stats.lastNotify.Load(); n != 0 {
		st.LastNotify = time.Unix(0, n)
	}
	return st
}

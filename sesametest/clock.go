package sesametest

import (
	"sync"
	"time"
)

// Clock is a settable clock for Options.Now: it runs with real time,
// shifted by what Advance added, so that expiries can be reached at once.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the shifted time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

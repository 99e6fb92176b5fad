package db

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// Follower keeps an in-process cache in step with the notifications other
// instances send on a PostgreSQL channel (LISTEN/NOTIFY), and tells whether
// the cache may be trusted: not while notifications can be missed, that is
// from the moment the listener's connection is lost (or before it was ever
// made, once Cut was called) until it is back and the cache resynced.
// Callers read from the database instead while Trusted is false. On SQLite,
// with a single instance, there is nothing to follow and the cache is always
// trusted.
type Follower struct {
	// Channel is the PostgreSQL channel listened on.
	Channel string
	// What names the cache in log lines, e.g. "rbac: policy listener".
	What string
	// Log receives the connection events; slog.Default() when nil.
	Log *slog.Logger
	// Resync drops everything the cache holds. Run calls it once it
	// listens and after every reconnection, before trusting the cache.
	Resync func()
	// Notify handles the payload of one notification.
	Notify func(payload string)

	// The cache is trusted while cuts == synced: cuts counts the times the
	// listener lost (or has not yet made) its connection, synced is the
	// count as of the last resync.
	cuts    atomic.Uint64
	synced  atomic.Uint64
	pending atomic.Uint64 // cuts at the last reconnection, synced once its resync is done

	initOnce  sync.Once
	closeOnce sync.Once
	listening chan struct{}
}

// Trusted reports whether no notification can have been missed since the
// cache was last resynced.
func (f *Follower) Trusted() bool { return f.cuts.Load() == f.synced.Load() }

// Cut records that notifications may be missed from now on, until Run's
// next resync. Call it before Run to distrust the cache until Run listens.
func (f *Follower) Cut() uint64 { return f.cuts.Add(1) }

// Listening is closed once Run listens (tests wait for it).
func (f *Follower) Listening() <-chan struct{} { return f.listeningCh() }

func (f *Follower) listeningCh() chan struct{} {
	f.initOnce.Do(func() { f.listening = make(chan struct{}) })
	return f.listening
}

func (f *Follower) markListening() {
	f.closeOnce.Do(func() { close(f.listeningCh()) })
}

// Run follows Channel on d until ctx ends; it returns nil then. On
// SQLite it only waits for ctx. Run it once, in its own goroutine.
func (f *Follower) Run(ctx context.Context, d *DB) error {
	if d.Dialect != Postgres || d.URL == "" {
		f.markListening()
		<-ctx.Done()
		return nil
	}
	log := f.Log
	if log == nil {
		log = slog.Default()
	}
	first := f.Cut() // nothing is heard until the listener is connected
	l := pq.NewListener(d.URL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			f.Cut()
			log.Error(f.What+" disconnected; the database is read instead until it is back", "err", err)
		case pq.ListenerEventReconnected:
			// Sent before the nil notification that Run answers with a
			// resync.
			f.pending.Store(f.cuts.Load())
			log.Info(f.What + " reconnected")
		case pq.ListenerEventConnectionAttemptFailed:
			log.Warn(f.What+" cannot connect", "err", err)
		}
	})
	defer l.Close()
	// Listen blocks until connected: closing the listener unblocks it.
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	if err := l.Listen(f.Channel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("%s: listen on %s: %w", f.What, f.Channel, err)
	}
	f.resync(first) // whatever was cached before we listened may be stale
	f.markListening()

	ping := time.NewTicker(time.Minute)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			if n == nil { // reconnected: notifications may have been lost
				f.resync(f.pending.Load())
				continue
			}
			f.Notify(n.Extra)
		case <-ping.C:
			// A dead connection is noticed, and reconnected, on use.
			_ = l.Ping()
		}
	}
}

func (f *Follower) resync(cuts uint64) {
	f.Resync()
	f.synced.Store(cuts)
}

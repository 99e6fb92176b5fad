package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// VerifyAccessToken checks an access token presented to one of Sésame's
// APIs and returns what it says. A token this instance has verified before
// costs no database read: its signature, expiry, typ and issuer were
// checked, and it was found active in storage, the first time; since then
// revocations announced by any instance (sqlstore.RevocationChannel) have
// been heard. An invalid token gives an error satisfying
// errors.Is(err, ErrInvalidToken); a storage failure one that
// db.IsStorageFailure recognizes. Until WatchRevocations listens (on
// PostgreSQL), and whenever its connection is down, every token is
// verified through fosite and the database.
func (p *Provider) VerifyAccessToken(ctx context.Context, raw string) (*AccessToken, error) {
	return p.tokens.verify(ctx, raw)
}

// WatchRevocations keeps this instance's verified access tokens in step
// with the revocations of every instance until ctx ends. On PostgreSQL it
// listens on sqlstore.RevocationChannel and forgets each token or client
// announced; when it starts listening and after every reconnection it
// forgets every token (revocations may have been missed), and from the
// moment its connection is lost until then, VerifyAccessToken reads the
// database on every call. On SQLite, with a single instance, revocations
// are heard in process and it only waits for ctx. Run it once, in its own
// goroutine; it returns nil when ctx ends.
func (p *Provider) WatchRevocations(ctx context.Context) error {
	return p.tokens.watch(ctx)
}

func (v *tokenVerifier) watch(ctx context.Context) error {
	d := v.keys.db
	if d.Dialect != db.Postgres || d.URL == "" {
		v.markListening()
		<-ctx.Done()
		return nil
	}
	first := v.cuts.Load() // counted at creation: nothing heard until now
	l := pq.NewListener(d.URL, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			v.cuts.Add(1)
			v.log.Error("oauth: revocation listener disconnected; access tokens are checked in the database until it is back", "err", err)
		case pq.ListenerEventReconnected:
			// Sent before the nil notification that watch answers with
			// a resync.
			v.pending.Store(v.cuts.Load())
			v.log.Info("oauth: revocation listener reconnected")
		case pq.ListenerEventConnectionAttemptFailed:
			v.log.Warn("oauth: revocation listener cannot connect", "err", err)
		}
	})
	defer l.Close()
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	if err := l.Listen(sqlstore.RevocationChannel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("oauth: listen on %s: %w", sqlstore.RevocationChannel, err)
	}
	v.resync(first)
	v.markListening()

	ping := time.NewTicker(time.Minute)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			if n == nil { // reconnected: revocations may have been lost
				v.resync(v.pending.Load())
				continue
			}
			var r sqlstore.Revocation
			if err := json.Unmarshal([]byte(n.Extra), &r); err != nil {
				v.log.Warn("oauth: unreadable revocation; forgetting every verified token", "err", err)
				r = sqlstore.Revocation{}
			}
			v.revoked(r)
		case <-ping.C:
			// A dead connection is noticed, and reconnected, on use.
			_ = l.Ping()
		}
	}
}

// resync forgets every verified token and trusts the memory again as of
// cut count cuts.
func (v *tokenVerifier) resync(cuts uint64) {
	v.forgetAll()
	v.synced.Store(cuts)
}

// markListening records that watch is up (tests wait for it).
func (v *tokenVerifier) markListening() { v.listenOne.Do(func() { close(v.listening) }) }

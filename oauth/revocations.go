package oauth

import (
	"context"
	"encoding/json"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// VerifyAccessToken checks an access token presented to one of Sésame's
// APIs and returns what it says. A token this instance has verified before
// costs no database read: its signature, expiry and typ were
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
	return v.follow.Run(ctx, v.keys.db)
}

// heard handles one announcement from sqlstore.RevocationChannel.
func (v *tokenVerifier) heard(payload string) {
	var r sqlstore.Revocation
	if err := json.Unmarshal([]byte(payload), &r); err != nil {
		v.log.Warn("oauth: unreadable revocation; forgetting every verified token", "err", err)
		r = sqlstore.Revocation{}
	}
	v.revoked(r)
}

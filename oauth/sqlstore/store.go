package sqlstore

import (
	"context"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/handler/pkce"
	"github.com/ory/fosite/storage"

	"github.com/sesame-idp/sesame/db"
)

// Store keeps fosite's clients, codes, tokens and sessions in the database.
// It is safe for concurrent use; several instances of Sésame may share one
// PostgreSQL database.
type Store struct {
	db *db.DB

	// Now returns the current time; it decides which client assertion JWT
	// IDs have expired. Tests replace it.
	Now func() time.Time

	onRevoke []func(Revocation) // see OnRevocation
}

// Compile-time proof of what compose.Compose asserts at start.
var (
	_ fosite.ClientManager               = (*Store)(nil)
	_ oauth2.CoreStorage                 = (*Store)(nil)
	_ oauth2.AuthorizeCodeStorage        = (*Store)(nil)
	_ oauth2.AccessTokenStorage          = (*Store)(nil)
	_ oauth2.RefreshTokenStorage         = (*Store)(nil)
	_ oauth2.TokenRevocationStorage      = (*Store)(nil)
	_ pkce.PKCERequestStorage            = (*Store)(nil)
	_ openid.OpenIDConnectRequestStorage = (*Store)(nil)
	_ storage.Transactional              = (*Store)(nil)
)

// New returns a Store on d, whose migrations must have been applied.
func New(d *db.DB) *Store {
	return &Store{db: d, Now: db.Now}
}

// now returns the store's current time in UTC at the precision both engines
// keep.
func (s *Store) now() time.Time {
	return s.Now().UTC().Truncate(time.Microsecond)
}

// exec runs one statement on q and returns the number of rows it changed.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

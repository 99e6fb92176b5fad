package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/secret"
)

// loadSecrets returns SESAME_SECRETS, or the secret generated and stored in
// the database on first run when it is unset.
func loadSecrets(ctx context.Context, configured string, d *db.DB, log *slog.Logger) (*secret.Ring, error) {
	if configured != "" {
		return secret.Parse(configured)
	}
	read := func() (string, error) {
		var v string
		err := d.GetContext(ctx, &v, `SELECT value FROM settings WHERE name = 'secrets'`)
		return v, db.Translate(err)
	}
	stored, err := read()
	if errors.Is(err, db.ErrNotFound) {
		// Two instances starting at once: the first insert wins and both
		// read it back.
		_, err = d.ExecContext(ctx, d.Rebind(`INSERT INTO settings (name, value) VALUES ('secrets', ?) ON CONFLICT (name) DO NOTHING`), secret.Generate())
		if err != nil {
			return nil, fmt.Errorf("app: store generated secret: %w", err)
		}
		log.Warn("SESAME_SECRETS is unset: using a secret generated and stored in the database; set SESAME_SECRETS in production")
		stored, err = read()
	}
	if err != nil {
		return nil, fmt.Errorf("app: read stored secret: %w", err)
	}
	return secret.Parse(stored)
}

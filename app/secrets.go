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
	stored, err := d.Setting(ctx, "secrets")
	if errors.Is(err, db.ErrNotFound) {
		// Two instances starting at once: the first insert wins and both
		// read it back.
		if _, err = d.InitSetting(ctx, "secrets", secret.Generate()); err != nil {
			return nil, fmt.Errorf("app: store generated secret: %w", err)
		}
		log.Warn("SESAME_SECRETS is unset: using a secret generated and stored in the database; set SESAME_SECRETS in production")
		stored, err = d.Setting(ctx, "secrets")
	}
	if err != nil {
		return nil, fmt.Errorf("app: read stored secret: %w", err)
	}
	return secret.Parse(stored)
}

package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/oauth"
)

// KeyActivationDelay is how long a key made by a scheduled rotation is
// published before it signs: twice KeyReloadInterval, so that every
// instance publishes it first.
const KeyActivationDelay = 2 * KeyReloadInterval

// MinKeyRotation is the shortest period SESAME_KEY_ROTATION accepts:
// retired keys stay published for KeyPublishTime, so a shorter period
// only grows the JWKS.
const MinKeyRotation = time.Hour

func (c *Config) validateRotation() error {
	if c.KeyRotation < 0 || (c.KeyRotation > 0 && c.KeyRotation < MinKeyRotation) {
		return fmt.Errorf("app: the key rotation period (SESAME_KEY_ROTATION) must be a duration of at least %s, such as 30d", MinKeyRotation)
	}
	return nil
}

// RotateKeysIfDue rotates each signing key older than the rotation period
// (SESAME_KEY_ROTATION) and returns the new keys; it does nothing when no
// period is set. Run calls it at every key refresh; several instances
// calling it at once make one rotation per key and period (see
// oauth.KeySet.RotateIfOlder).
func (a *App) RotateKeysIfDue(ctx context.Context) ([]*oauth.SigningKey, error) {
	if a.Config.KeyRotation <= 0 {
		return nil, nil
	}
	var made []*oauth.SigningKey
	var errs []error
	for _, alg := range []string{oauth.ES256, oauth.RS256} {
		k, err := a.OAuth.Keys.RotateIfOlder(ctx, alg, a.Config.KeyRotation, KeyActivationDelay)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if k != nil {
			a.log.Info("signing key rotated on schedule", "alg", k.Alg, "kid", k.KID, "activates_at", k.ActivatesAt, "period", a.Config.KeyRotation.String())
			made = append(made, k)
		}
	}
	return made, errors.Join(errs...)
}

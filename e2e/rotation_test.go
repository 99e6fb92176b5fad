package e2e_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestScheduledKeyRotation: two instances on one database, both with
// SESAME_KEY_ROTATION=30d, asked at once, many times, to rotate keys that
// are 31 days old, make exactly one new key per algorithm; asked again,
// none. The new key is published by both.
func TestScheduledKeyRotation(t *testing.T) {
	for name, pg := range map[string]bool{"sqlite": false, "postgres": true} {
		t.Run(name, func(t *testing.T) {
			const period = 30 * 24 * time.Hour
			s1 := sesametest.Start(t, sesametest.Options{Postgres: pg, KeyRotation: period})
			s2 := sesametest.Start(t, sesametest.Options{DatabaseURL: s1.DatabaseURL, KeyRotation: period})
			ctx := context.Background()
			count := func() (all, current int) {
				t.Helper()
				if err := s1.DB.GetContext(ctx, &all, `SELECT COUNT(*) FROM signing_keys`); err != nil {
					t.Fatal(err)
				}
				if err := s1.DB.GetContext(ctx, &current, `SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NULL`); err != nil {
					t.Fatal(err)
				}
				return all, current
			}
			before, _ := count()
			if made, err := s1.RotateKeysIfDue(ctx); err != nil || len(made) != 0 {
				t.Fatalf("fresh keys rotated: %d, %v", len(made), err)
			}
			old := time.Now().UTC().Add(-period - 24*time.Hour)
			if _, err := s1.DB.ExecContext(ctx, s1.DB.Rebind(`UPDATE signing_keys SET created_at = ?, activates_at = ?`), old, old); err != nil {
				t.Fatal(err)
			}
			// Each instance sees the aged keys at its next key reload (the
			// rotation check starts from the keys loaded in memory).
			for _, s := range []*sesametest.Instance{s1, s2} {
				if err := s.OAuth.Keys.Refresh(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}

			var wg sync.WaitGroup
			for i := range 8 {
				s := s1
				if i%2 == 1 {
					s = s2
				}
				wg.Go(func() {
					if _, err := s.RotateKeysIfDue(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			after, current := count()
			if after != before+2 || current != 2 {
				t.Fatalf("%d keys (%d current) after the rotation, want %d (2 current): one new key per algorithm", after, current, before+2)
			}
			for _, s := range []*sesametest.Instance{s1, s2} {
				if made, err := s.RotateKeysIfDue(ctx); err != nil || len(made) != 0 {
					t.Fatalf("second rotation in one period: %d keys, %v", len(made), err)
				}
			}
			for _, s := range []*sesametest.Instance{s1, s2} {
				if err := s.OAuth.Keys.Refresh(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}
			if n1, n2 := len(s1.OAuth.Keys.JWKS().Keys), len(s2.OAuth.Keys.JWKS().Keys); n1 != before+2 || n2 != before+2 {
				t.Errorf("published keys: %d and %d, want %d", n1, n2, before+2)
			}
		})
	}
}

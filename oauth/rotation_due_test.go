package oauth

import (
	"context"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// TestRotateIfOlderChecksMemoryFirst: while the newest loaded key of an
// algorithm is younger than the period, RotateIfOlder answers without the
// database (a cancelled context would fail any query); once the period
// has passed it goes to the database and rotates.
func TestRotateIfOlderChecksMemoryFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ks := loadKeys(t, d, newRing(t))
		const period = 30 * 24 * time.Hour
		cancelled, cancel := context.WithCancel(context.Background())
		cancel()
		for _, alg := range []string{ES256, RS256} {
			if k, err := ks.RotateIfOlder(cancelled, alg, period, time.Minute); err != nil || k != nil {
				t.Fatalf("%s: fresh key: %v, %v; want no rotation and no query", alg, k, err)
			}
		}

		later := time.Now().Add(period + time.Hour)
		ks.now = func() time.Time { return later }
		if _, err := ks.RotateIfOlder(cancelled, ES256, period, time.Minute); err == nil {
			t.Fatal("rotation due: the database was not consulted")
		}
		k, err := ks.RotateIfOlder(context.Background(), ES256, period, time.Minute)
		if err != nil || k == nil {
			t.Fatalf("rotation due: %v, %v; want a new key", k, err)
		}
		if k, err := ks.RotateIfOlder(cancelled, ES256, period, time.Minute); err != nil || k != nil {
			t.Fatalf("just rotated: %v, %v; want no rotation and no query", k, err)
		}
	})
}

package oauth

import (
	"context"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/internal/testclock"
	"github.com/sesame-idp/sesame/secret"
)

// TestRotatePublishesFirst: a rotated key is in the JWKS at once but signs
// only from its activation; until then the previous key signs.
func TestRotatePublishesFirst(t *testing.T) {
	ctx := context.Background()
	ring, err := secret.Parse("prepublish-test-secret-0123456789-abcdef")
	if err != nil {
		t.Fatal(err)
	}
	clock := testclock.New(time.Now().UTC())
	ks := newKeySet(dbtest.SQLite(t), ring, time.Hour)
	ks.now = clock.Now
	if err := ks.Load(ctx); err != nil {
		t.Fatal(err)
	}
	old, err := ks.Current(ES256)
	if err != nil {
		t.Fatal(err)
	}
	next, err := ks.Rotate(ctx, ES256, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	published := false
	for _, k := range ks.JWKS().Keys {
		published = published || k.KeyID == next.KID
	}
	if !published {
		t.Fatal("the new key is not published at once")
	}
	if cur, _ := ks.Current(ES256); cur.KID != old.KID {
		t.Fatalf("signing with %s before the activation, want the previous %s", cur.KID, old.KID)
	}
	clock.Advance(31 * time.Second)
	if cur, _ := ks.Current(ES256); cur.KID != next.KID {
		t.Fatalf("signing with %s after the activation, want %s", cur.KID, next.KID)
	}
	if _, err := ks.ByKID(old.KID); err != nil {
		t.Fatalf("the previous key left the set too early: %v", err)
	}
}

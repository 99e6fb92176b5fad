package oauth

import (
	"context"
	"testing"
	"time"

	"github.com/ory/fosite/token/jwt"

	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/secret"
)

// TestSignerSeesRotationByAnotherInstance: an instance that has not yet
// reloaded its keys accepts a token signed with a key another instance
// created by rotation.
func TestSignerSeesRotationByAnotherInstance(t *testing.T) {
	ctx := context.Background()
	d := dbtest.SQLite(t)
	ring, err := secret.Parse("reload-test-secret-0123456789-abcdefghij")
	if err != nil {
		t.Fatal(err)
	}
	a, b := newKeySet(d, ring, time.Hour), newKeySet(d, ring, time.Hour)
	if err := a.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Rotate(ctx, ES256, 0); err != nil {
		t.Fatal(err)
	}
	tok, _, err := (&signer{keys: a}).Generate(ctx, jwt.MapClaims{"sub": "x", "exp": time.Now().Add(time.Minute).Unix()}, &jwt.Headers{})
	if err != nil {
		t.Fatal(err)
	}
	b.loaded = time.Now().Add(-time.Minute) // b's last reload is older than the reload interval
	if _, err := (&signer{keys: b}).Validate(ctx, tok); err != nil {
		t.Fatalf("lagging instance refused a token of the new key: %v", err)
	}
}

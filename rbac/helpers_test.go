package rbac

import (
	"context"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/internal/testclock"
)

// clock is the tests' settable time.
type clock = testclock.Clock

func newClock() *clock { return testclock.New(time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)) }

func newService(t testing.TB, d *db.DB, opts Options) *Service {
	t.Helper()
	s, err := New(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// inTx runs fn in a committed transaction and then invalidates accountID,
// as callers of the write API do.
func inTx(t testing.TB, s *Service, accountID string, fn func(ctx context.Context) error) {
	t.Helper()
	if err := s.d.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
	s.Invalidate(accountID)
}

func setOwner(t testing.TB, s *Service, accountID, memberID string) {
	t.Helper()
	inTx(t, s, accountID, func(ctx context.Context) error {
		return s.SetOwner(ctx, accountID, memberID)
	})
}

func setGrants(t testing.TB, s *Service, accountID, memberID string, grants ...Grant) {
	t.Helper()
	inTx(t, s, accountID, func(ctx context.Context) error {
		return s.SetGrants(ctx, accountID, memberID, grants)
	})
}

func grant(right string) Grant { return Grant{Right: right} }

func grantUntil(right string, t time.Time) Grant { return Grant{Right: right, ExpiresAt: &t} }

func mustAllowed(t testing.TB, s *Service, memberID, accountID, right, resource string) bool {
	t.Helper()
	ok, err := s.Allowed(context.Background(), memberID, accountID, right, resource)
	if err != nil {
		t.Fatalf("Allowed(%s, %s, %s, %s): %v", memberID, accountID, right, resource, err)
	}
	return ok
}

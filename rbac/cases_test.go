package rbac

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/rights"
	"github.com/sesame-idp/sesame/rights/rightstest"
)

// TestAllowedSharedCases runs the table every implementation of the check
// shares (rights.Allows, productkit.Identity.Allows) through the
// enforcer: the held rights are stored as grants, the check goes through
// Allowed and Explain. A malformed request is an error here and a denial
// there; both count as "not allowed".
func TestAllowedSharedCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d, Options{Now: newClock().Now})
		ctx := context.Background()
		for i, tt := range rightstest.Cases {
			t.Run(tt.Name, func(t *testing.T) {
				member := fmt.Sprintf("m%d", i)
				var grants []Grant
				for _, h := range tt.Held {
					if _, err := rights.Parse(h); err != nil {
						continue // covers nothing anywhere: cannot be stored
					}
					if _, err := ParseRight(h); err != nil {
						t.Fatalf("held right %q is well formed but not in the catalog: %v", h, err)
					}
					grants = append(grants, grant(h))
				}
				setGrants(t, s, acct1, member, grants...)
				got, err := s.Allowed(ctx, member, acct1, tt.Right, tt.Resource)
				if err != nil && !errors.Is(err, ErrInvalidRight) && !errors.Is(err, ErrUnknownRight) {
					t.Fatalf("Allowed: %v", err)
				}
				if got != tt.Allowed {
					t.Fatalf("Allowed(%q on %q) holding %q = %v (%v), want %v", tt.Right, tt.Resource, tt.Held, got, err, tt.Allowed)
				}
				x, err := s.Explain(ctx, member, acct1, tt.Right, tt.Resource)
				if err == nil && x.Allowed != tt.Allowed {
					t.Fatalf("Explain(%q on %q) = %+v, want allowed %v", tt.Right, tt.Resource, x, tt.Allowed)
				}
			})
		}
	})
}

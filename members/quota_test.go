package members_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/members"
)

// TestInvitationQuota: an account sends at most InvitationsPerHour
// invitation emails an hour; an hour later it may send again.
func TestInvitationQuota(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		owner := f.ownerActor(t)
		for i := range members.InvitationsPerHour {
			if _, err := f.svc.Invite(ctx, owner, members.InviteRequest{AccountID: f.owner.AccountID, Email: fmt.Sprintf("p%d@example.cm", i)}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := f.svc.Invite(ctx, owner, members.InviteRequest{AccountID: f.owner.AccountID, Email: "one-too-many@example.cm"})
		if !errors.Is(err, members.ErrTooManyInvitations) {
			t.Fatalf("invitation over the quota: %v", err)
		}
		f.clock.Advance(61 * time.Minute)
		if _, err := f.svc.Invite(ctx, owner, members.InviteRequest{AccountID: f.owner.AccountID, Email: "one-too-many@example.cm"}); err != nil {
			t.Fatalf("an hour later: %v", err)
		}
	})
}

package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

func TestRecordAndList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		for i, action := range []string{audit.MemberInvited, audit.InvitationAccepted, audit.RightsChanged} {
			err := audit.New(d).Record(ctx, audit.Event{AccountID: "id100001", ActorEmail: "owner@example.cm",
				Action: action, Target: "alice@example.cm", IP: "192.0.2.1", CreatedAt: base.Add(time.Duration(i) * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := audit.New(d).Record(ctx, audit.Event{Action: audit.SignInFailed, Detail: "unknown_account"}); err != nil {
			t.Fatal(err)
		}
		// A record written in a transaction that rolls back leaves no trace.
		_ = d.InTx(ctx, func(ctx context.Context) error {
			if err := audit.New(d).Record(ctx, audit.Event{AccountID: "id100001", Action: audit.MemberDeleted}); err != nil {
				t.Fatal(err)
			}
			return context.Canceled
		})

		events, err := audit.New(d).List(ctx, "id100001", 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].Action != audit.RightsChanged || events[1].Action != audit.InvitationAccepted {
			t.Fatalf("newest two = %+v", events)
		}
		if !events[0].CreatedAt.Equal(base.Add(2*time.Minute)) || events[0].IP != "192.0.2.1" {
			t.Fatalf("event = %+v", events[0])
		}
		platform, err := audit.New(d).List(ctx, "", 10)
		if err != nil || len(platform) != 1 || platform[0].Detail != "unknown_account" || platform[0].CreatedAt.IsZero() {
			t.Fatalf("platform trail = %+v, %v", platform, err)
		}
		all, _ := audit.New(d).List(ctx, "id100001", 0)
		if len(all) != 3 {
			t.Fatalf("%d events, want 3 (the rolled-back one must not count)", len(all))
		}
	})
}

func TestQuery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		l := audit.New(d)
		ctx := context.Background()
		base := time.Date(2026, 12, 2, 13, 30, 0, 0, time.UTC)
		for i := range 5 {
			actor, action := "awa@example.cm", audit.MemberInvited
			if i%2 == 1 {
				actor, action = "Bob@example.cm", audit.SignIn
			}
			if err := l.Record(ctx, audit.Event{AccountID: "id100001", ActorEmail: actor, Action: action, CreatedAt: base.Add(time.Duration(i) * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Record(ctx, audit.Event{AccountID: "id100002", ActorEmail: "awa@example.cm", Action: audit.MemberInvited, CreatedAt: base}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    audit.Filter
			want int
			more bool
		}{
			{name: "all", f: audit.Filter{AccountID: "id100001"}, want: 5},
			{name: "by person, any case", f: audit.Filter{AccountID: "id100001", Actor: "bob@example.cm"}, want: 2},
			{name: "by action", f: audit.Filter{AccountID: "id100001", Action: audit.MemberInvited}, want: 3},
			{name: "by dates", f: audit.Filter{AccountID: "id100001", From: base.Add(time.Hour), To: base.Add(3 * time.Hour)}, want: 2},
			{name: "first page", f: audit.Filter{AccountID: "id100001", Limit: 2}, want: 2, more: true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, more, err := l.Query(ctx, tt.f)
				if err != nil || len(got) != tt.want || more != tt.more {
					t.Fatalf("Query = %d events, more %v, %v; want %d, %v", len(got), more, err, tt.want, tt.more)
				}
			})
		}
		first, _, _ := l.Query(ctx, audit.Filter{AccountID: "id100001", Limit: 2})
		rest, more, err := l.Query(ctx, audit.Filter{AccountID: "id100001", Limit: 10, Before: first[1].ID})
		if err != nil || len(rest) != 3 || more || rest[0].ID >= first[1].ID {
			t.Fatalf("next page = %d events, more %v, %v", len(rest), more, err)
		}
		actors, err := l.Actors(ctx, "id100001")
		if err != nil || len(actors) != 2 {
			t.Fatalf("Actors = %v, %v", actors, err)
		}
	})
}

package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestAdminSessionsLastUse: the admin's list of a person's sessions shows
// when each was last used, as the person's own list does.
func TestAdminSessionsLastUse(t *testing.T) {
	run := func(t *testing.T, s *sesametest.Instance, clock *sesametest.Clock) {
		w := seed(t, s)
		admin := adminSignIn(t, s)
		const email, pw = "tech@example.cm", "Technicien!2026x"
		m := addLoginAccount(t, s, w.AccountID, email, pw, "server:read")
		b := s.NewBrowser(t)
		if p := b.SignIn("/login", email, pw, w.AccountID); p.URL.Path != "/account" {
			t.Fatalf("sign-in ended at %s", p.URL)
		}
		clock.Advance(30 * time.Minute)
		b.Get("/account")
		used := clock.Now()
		clock.Advance(10 * time.Minute)

		list, err := s.Accounts.MemberSessions(context.Background(), m.ID)
		if err != nil || len(list) != 1 || list[0].LastUsedAt.Sub(used).Abs() > time.Second || list[0].LastUsedAt.Sub(list[0].AuthTime) < 29*time.Minute {
			t.Fatalf("sessions %+v (%v): want one, last used %v, 30 min after the sign-in", list, err, used)
		}
		zone, err := time.LoadLocation("Africa/Douala")
		if err != nil {
			t.Skip("no time zone data")
		}
		want := `<td data-label="Last used"><span class="nowrap">` + list[0].LastUsedAt.In(zone).Format("2 Jan 2006, 15:04") + `</span></td>`
		p := admin.Get("/admin/accounts/" + w.AccountID + "/members/" + m.ID + "/sessions?lang=en")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `<th scope="col">Last used</th>`) || !strings.Contains(p.Body, want) {
			t.Fatalf("sessions page: %d, want %s\n%s", p.Status, want, p.Body)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		clock := &sesametest.Clock{}
		run(t, sesametest.Start(t, sesametest.Options{Now: clock.Now}), clock)
	})
	t.Run("postgres", func(t *testing.T) {
		clock := &sesametest.Clock{}
		run(t, sesametest.Start(t, sesametest.Options{Postgres: true, Now: clock.Now}), clock)
	})
}

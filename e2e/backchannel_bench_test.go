package e2e_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// BenchmarkLogoutDelay measures the time from the commit that ends a
// session to the logout token's arrival at the product, and reports its
// median and 99th percentile:
//
//   - kicked: the instance that ended the session delivers (woken after
//     the commit);
//
//   - other-process: the row was written by another process (which
//     delivers nothing): the instance hears of it through LISTEN/NOTIFY on
//     PostgreSQL, or finds it on its next poll (500 ms) on SQLite.
//
//     SESAME_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//     go test ./e2e/ -run '^$' -bench LogoutDelay -benchtime 200x
func BenchmarkLogoutDelay(b *testing.B) {
	benchEach(b, func(b *testing.B, s *sesametest.Instance) {
		ctx := context.Background()
		w := seedB(b, s)
		rcv := newReceiver(b)
		createClient(b, s, &sqlstore.Client{
			ID: bclClient, Name: "Panel", RedirectURIs: []string{bclRedirect}, IsFirstParty: true,
			BackchannelLogoutURI: rcv.URL + "/backchannel-logout",
		})
		m := addLoginAccount(b, s, w.AccountID, "tech@example.cm", "Technicien!2026x", "server:read")
		// A process that writes events and delivers none.
		other, err := db.Open(ctx, s.DatabaseURL)
		if err != nil {
			b.Fatal(err)
		}
		defer other.Close()
		writer := events.New(other, events.Options{
			Issuer: s.Config.Issuer, Signer: s.OAuth.Keys,
			Client: func(context.Context, string) (events.Client, error) {
				return events.Client{BackchannelLogoutURI: rcv.URL + "/backchannel-logout", Alg: "ES256"}, nil
			},
		})
		session := func() string {
			_, sess, err := s.Accounts.CreateSession(ctx, m.ID, "", "", "")
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Accounts.RecordSessionClient(ctx, sess.SID, m.ID, bclClient); err != nil {
				b.Fatal(err)
			}
			return sess.SID
		}
		for _, mode := range []string{"kicked", "other-process"} {
			b.Run(mode, func(b *testing.B) {
				delays := make([]time.Duration, 0, b.N)
				for range b.N {
					sid := session()
					start := time.Now()
					if mode == "kicked" {
						err = s.Accounts.EndMemberSession(ctx, m.ID, sid, audit.Event{AccountID: w.AccountID, Action: audit.SessionEnded})
					} else {
						err = writer.SessionEnded(ctx, m.ID, sid, []string{bclClient})
					}
					if err != nil {
						b.Fatal(err)
					}
					select {
					case <-rcv.got:
					case <-time.After(10 * time.Second):
						b.Fatal("no logout token within 10 s")
					}
					delays = append(delays, time.Since(start))
				}
				slices.Sort(delays)
				b.ReportMetric(float64(delays[len(delays)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(delays[len(delays)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	})
}

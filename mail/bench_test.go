package mail_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/mail/mailtest"
)

// BenchmarkOutbox measures one message through the outbox: enqueued,
// claimed, sent over SMTP to the in-process server and marked sent.
func BenchmarkOutbox(b *testing.B) {
	for _, open := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(open.name, func(b *testing.B) {
			d := open.open(b)
			srv := mailtest.NewServer(b)
			s, err := mail.NewSMTPSender(srv.URL(), from)
			if err != nil {
				b.Fatal(err)
			}
			o := mail.NewOutbox(d, s, mail.OutboxOptions{Logger: slog.New(slog.DiscardHandler)})
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				if _, err := o.Enqueue(ctx, message(fmt.Sprintf("u%d@example.org", i))); err != nil {
					b.Fatal(err)
				}
				if n, err := o.DeliverDue(ctx); err != nil || n != 1 {
					b.Fatalf("DeliverDue = %d, %v", n, err)
				}
			}
		})
	}
}

func BenchmarkRenderInvitation(b *testing.B) {
	inv := invitation("fr")
	for b.Loop() {
		if _, err := mail.RenderInvitation(inv, "lea@example.org"); err != nil {
			b.Fatal(err)
		}
	}
}

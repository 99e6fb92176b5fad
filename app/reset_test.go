package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/app"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/mail/mailtest"
	"github.com/sesame-idp/sesame/sesametest"
)

// eachDatabase runs fn with the URL of a new SQLite database, then of a
// new PostgreSQL one (skipped without SESAME_TEST_DATABASE_URL).
func eachDatabase(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "sesame.db")) })
	t.Run("postgres", func(t *testing.T) {
		_, u := dbtest.PostgresURL(t)
		fn(t, u)
	})
}

// instance is an opened Sésame served on a loopback port, its issuer
// being that port. Its background work does not run unless the test runs it.
type instance struct {
	app *app.App
	srv *httptest.Server
}

func open(t *testing.T, cfg app.Config) instance {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg.Issuer = "http://" + srv.Listener.Addr().String()
	cfg.Logger = slog.New(slog.DiscardHandler)
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return instance{app: a, srv: srv}
}

func (i instance) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := i.app.DB.Get(&n, `SELECT COUNT(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestResetRequestsSurviveARestart answers forgotten-password requests on
// an instance that dies before doing any of the work: every answered
// request is in the queue, and the next instance on the same database
// sends the emails. A request the database cannot store gets a 503.
func TestResetRequestsSurviveARestart(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		ctx := context.Background()
		smtp := mailtest.NewServer(t)
		cfg := app.Config{Addr: "127.0.0.1:0", DatabaseURL: databaseURL, SMTPURL: smtp.URL(), MailFrom: "no-reply@sesame.test"}
		first := open(t, cfg)
		acct, _, err := first.app.Accounts.CreateAccount(ctx, "Acme", "owner@example.com", "Olive", "kX9#mPq2$vLz-Owner")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := first.app.Accounts.CreateMember(ctx, acct.ID, "tech@example.com", "", account.StatusActive, ""); err != nil {
			t.Fatal(err)
		}

		asks := []struct{ email, accountID string }{
			{"owner@example.com", ""},
			{"tech@example.com", " " + strings.ToUpper(acct.ID)},
			{"nobody@example.com", acct.ID},
			{"tech@example.com", ""},
		}
		var notice string
		for _, a := range asks {
			b := sesametest.NewWebBrowser(t, first.srv.URL)
			p := b.Submit(b.Get("/password-reset"), "email", url.Values{"email": {a.email}, "account_id": {a.accountID}})
			if p.Status != http.StatusOK {
				t.Fatalf("request for %s: %d", a.email, p.Status)
			}
			if notice == "" {
				notice = p.Body
			} else if p.Body != notice {
				t.Errorf("request for %s answered differently", a.email)
			}
		}
		var rows []struct {
			Email       string    `db:"email"`
			AccountID   string    `db:"account_id"`
			Lang        string    `db:"lang"`
			IP          string    `db:"ip"`
			RequestedAt time.Time `db:"requested_at"`
		}
		if err := first.app.DB.Select(&rows, `SELECT email, account_id, lang, ip, requested_at FROM password_reset_requests ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(asks) {
			t.Fatalf("%d requests stored, want %d", len(rows), len(asks))
		}
		for i, r := range rows {
			if r.Email != asks[i].email || r.AccountID != asks[i].accountID || r.Lang == "" || r.IP != "127.0.0.1" ||
				time.Since(r.RequestedAt) > time.Minute {
				t.Errorf("request %d stored as %+v", i, r)
			}
		}
		if n := first.count(t, "mail_outbox"); n != 0 {
			t.Fatalf("%d messages queued before the work ran, want 0", n)
		}
		first.srv.Close()
		first.app.Close()

		// The next instance on the same database does the work.
		second := open(t, cfg)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { second.app.Run(runCtx); close(done) }()
		defer func() { stop(); <-done }()
		for _, to := range []string{"owner@example.com", "tech@example.com"} {
			msg := smtp.WaitFor(t, to, 10*time.Second)
			if !strings.Contains(msg.Text, second.srv.URL+"/password-reset/") {
				t.Errorf("email to %s lacks a reset link:\n%s", to, msg.Text)
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for second.count(t, "password_reset_requests") != 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := second.count(t, "password_reset_requests"); n != 0 {
			t.Errorf("%d requests left in the queue, want 0", n)
		}
		for len(smtp.Messages()) < 3 && time.Now().Before(deadline.Add(5*time.Second)) {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
		if n := len(smtp.Messages()); n != 3 {
			t.Errorf("%d emails, want 3 (owner, and the login account with and without its account ID)", n)
		}

		// The database fails between the form and its answer.
		b := sesametest.NewWebBrowser(t, second.srv.URL)
		form := b.Get("/password-reset")
		if _, err := second.app.DB.Exec(`DROP TABLE password_reset_requests`); err != nil {
			t.Fatal(err)
		}
		if p := b.Submit(form, "email", url.Values{"email": {"owner@example.com"}}); p.Status != http.StatusServiceUnavailable {
			t.Errorf("request the database could not store: %d, want 503", p.Status)
		}
	})
}

package main

import (
	"context"
	"database/sql"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// createAccount creates an account with the command and returns its ID.
func createAccount(t *testing.T, email, name string) string {
	t.Helper()
	out := mustSesame(t, ownerPassword+"\n", "accounts", "create", "--email", email, "--name", name, "--password-stdin", "--json")
	return jsonObject(t, out, "account_id", "user_id")["account_id"]
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+/invitation/[^\s<>"]+`)

// TestMembersInvite checks the invitation: its JSON, its expiry, and the
// email, queued by the command, delivered by a serving instance and
// identical to the one the console sends.
func TestMembersInvite(t *testing.T) {
	e := sqliteEnv(t)
	accountID := createAccount(t, "owner@example.com", "Acme Hébergement")
	a := openTestApp(t)
	ctx := context.Background()

	tests := []struct {
		name   string
		email  string
		lang   []string
		rights string
		want   []string
	}{
		{name: "default language", email: "tech@example.com", rights: "domain:read,domain:dns:example.cm", want: []string{"domain:read", "domain:dns:example.cm"}},
		{name: "english", email: "accounting@example.com", lang: []string{"--lang", "en"}, rights: "billing:read, billing:pay,billing:read", want: []string{"billing:read", "billing:pay"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			args := append([]string{"members", "invite", "--account", accountID, "--email", tt.email, "--rights", tt.rights, "--json"}, tt.lang...)
			out := jsonObject(t, mustSesame(t, "", args...), "invitation_id", "expires_at")

			exp, err := time.Parse(time.RFC3339, out["expires_at"])
			if err != nil {
				t.Fatalf("expires_at %q is not RFC 3339: %v", out["expires_at"], err)
			}
			if lo, hi := start.Add(72*time.Hour-time.Second), time.Now().Add(72*time.Hour); exp.Before(lo) || exp.After(hi) {
				t.Errorf("expires_at %s, want 72h from now (%s .. %s)", exp, lo, hi)
			}
			if !strings.HasSuffix(out["expires_at"], "Z") {
				t.Errorf("expires_at %q is not in UTC", out["expires_at"])
			}

			inv, err := a.Members.Invitation(ctx, members.Operator(), accountID, out["invitation_id"])
			if err != nil {
				t.Fatalf("invitation %s not stored: %v", out["invitation_id"], err)
			}
			if inv.Email != tt.email || strings.Join(inv.Rights(), ",") != strings.Join(tt.want, ",") {
				t.Errorf("stored invitation %s with %v, want %s with %v", inv.Email, inv.Rights(), tt.email, tt.want)
			}

			// Queued only: a serving instance delivers it.
			if n := len(e.Mail.MessagesTo(tt.email)); n != 0 {
				t.Fatalf("the command sent %d messages itself, want 0", n)
			}
			if _, err := a.Outbox.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
			msgs := e.Mail.MessagesTo(tt.email)
			if len(msgs) != 1 {
				t.Fatalf("%d messages to %s, want 1", len(msgs), tt.email)
			}
			got := msgs[0]
			if got.From != "no-reply@sesame.test" {
				t.Errorf("envelope sender %q", got.From)
			}
			link := linkPattern.FindString(got.Text)
			if !strings.HasPrefix(link, testIssuer+"/invitation/") || !strings.Contains(got.Text, accountID) {
				t.Fatalf("email text lacks the account ID or a link under %s:\n%s", testIssuer, got.Text)
			}
			token, err := url.PathUnescape(strings.TrimPrefix(link, testIssuer+"/invitation/"))
			if err != nil {
				t.Fatal(err)
			}
			if p, err := a.Members.Pending(ctx, token); err != nil || p.ID != inv.ID {
				t.Errorf("the emailed link opens %+v, %v; want invitation %s", p, err, inv.ID)
			}

			// The email is the console's: the same template, filled in the same way.
			zone, err := i18n.LoadZone(a.Config.Timezone)
			if err != nil {
				t.Fatal(err)
			}
			want, err := mail.RenderInvitation(mail.Invitation{
				Lang: inv.Lang, AccountID: accountID, AccountName: "Acme Hébergement", InviterEmail: "owner@example.com",
				Link: link, ExpiresAt: inv.ExpiresAt, Zone: zone,
			}, tt.email)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != want.Subject {
				t.Errorf("subject %q, want %q", got.Subject, want.Subject)
			}
			if normalize(got.Text) != normalize(want.Text) {
				t.Errorf("text:\n%s\nwant:\n%s", got.Text, want.Text)
			}
			if got.HTML == "" {
				t.Error("no HTML part")
			}
		})
	}

	t.Run("text output", func(t *testing.T) {
		out := mustSesame(t, "", "members", "invite", "--account", accountID, "--email", "third@example.com", "--rights", "email:read")
		re := regexp.MustCompile(`^invitation (\S+) for third@example\.com in ` + accountID + `, expires \S+Z; email queued \(a running Sésame sends it\)\n$`)
		if !re.MatchString(out) {
			t.Errorf("output %q", out)
		}
	})
}

// TestMembersInviteQueuesOnly checks that the command queues its own
// email and touches no other message of the outbox, even with no SMTP
// server configured: another account's pending invitation stays pending,
// and its single-use link is not printed.
func TestMembersInviteQueuesOnly(t *testing.T) {
	eachDB(t, func(t *testing.T, e testEnv) {
		t.Setenv("SESAME_INVITATION_TTL", "1h")
		other := createAccount(t, "other@example.com", "Other")
		mine := createAccount(t, "owner@example.com", "Acme")
		a := openTestApp(t)
		ctx := context.Background()
		pending, err := a.Members.Invite(ctx, members.Operator(), members.InviteRequest{
			AccountID: other, Email: "pending@example.com", Grants: []rbac.Grant{{Right: "domain:read"}}})
		if err != nil {
			t.Fatal(err)
		}

		t.Setenv("SESAME_SMTP_URL", "")
		start := time.Now()
		out := mustSesame(t, "", "members", "invite", "--account", mine, "--email", "tech@example.com", "--rights", "domain:read")
		if !strings.HasSuffix(out, "; email queued (a running Sésame sends it)\n") || strings.Contains(out, "/invitation/") {
			t.Errorf("output %q", out)
		}
		var rows []struct {
			To     string       `db:"recipient"`
			SentAt sql.NullTime `db:"sent_at"`
			Body   string       `db:"text_body"`
		}
		if err := a.DB.Select(&rows, `SELECT recipient, sent_at, text_body FROM mail_outbox ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d messages in the outbox, want 2", len(rows))
		}
		for _, r := range rows {
			if r.SentAt.Valid || r.Body == "" {
				t.Errorf("message to %s: sent %v, body kept %v; want pending", r.To, r.SentAt.Valid, r.Body != "")
			}
		}
		if n := len(e.Mail.Messages()); n != 0 {
			t.Errorf("%d messages sent by the command, want 0", n)
		}

		list, err := a.Members.Invitations(ctx, members.Operator(), mine)
		if err != nil || len(list) != 1 {
			t.Fatalf("invitations %v, %v", list, err)
		}
		if d := list[0].ExpiresAt.Sub(start); d < time.Hour-time.Second || d > time.Hour+time.Minute {
			t.Errorf("expiry %s after the command, want SESAME_INVITATION_TTL=1h", d)
		}
		// A serving instance delivers both, once each.
		if n, err := a.Outbox.DeliverDue(ctx); err != nil || n != 2 {
			t.Fatalf("DeliverDue = %d, %v; want 2", n, err)
		}
		for _, to := range []string{pending.Email, "tech@example.com"} {
			if n := len(e.Mail.MessagesTo(to)); n != 1 {
				t.Errorf("%s received %d messages, want 1", to, n)
			}
		}
	})
}

func normalize(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

package main

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/members"
)

// createAccount creates an account with the command and returns its ID.
func createAccount(t *testing.T, email, name string) string {
	t.Helper()
	out := mustSesame(t, ownerPassword+"\n", "accounts", "create", "--email", email, "--name", name, "--password-stdin", "--json")
	return jsonObject(t, out, "account_id", "user_id")["account_id"]
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+/invitation/[^\s<>"]+`)

// TestMembersInvite checks the invitation: its JSON, its expiry, and the
// email, delivered before the command returns and identical to the one
// the console sends.
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

			// Delivered before the command returned.
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
		re := regexp.MustCompile(`^invitation (\S+) for third@example\.com in ` + accountID + `, expires \S+Z; email sent\n$`)
		if !re.MatchString(out) {
			t.Errorf("output %q", out)
		}
		e.Mail.WaitFor(t, "third@example.com", time.Second)
	})
}

// TestMembersInviteSMTPDown checks that the invitation is kept and its
// email queued when the SMTP server refuses it, and that the command says so.
func TestMembersInviteSMTPDown(t *testing.T) {
	e := sqliteEnv(t)
	t.Setenv("SESAME_INVITATION_TTL", "1h")
	accountID := createAccount(t, "owner@example.com", "Acme")
	e.Mail.SetDown(true)
	start := time.Now()
	out := mustSesame(t, "", "members", "invite", "--account", accountID, "--email", "tech@example.com", "--rights", "domain:read")
	if !strings.HasSuffix(out, "; email queued (a running Sésame will retry)\n") {
		t.Errorf("output %q", out)
	}
	if e.Mail.Refused() == 0 || len(e.Mail.Messages()) != 0 {
		t.Errorf("refused %d, received %d", e.Mail.Refused(), len(e.Mail.Messages()))
	}
	a := openTestApp(t)
	list, err := a.Members.Invitations(context.Background(), members.Operator(), accountID)
	if err != nil || len(list) != 1 {
		t.Fatalf("invitations %v, %v", list, err)
	}
	if d := list[0].ExpiresAt.Sub(start); d < time.Hour-time.Second || d > time.Hour+time.Minute {
		t.Errorf("expiry %s after the command, want SESAME_INVITATION_TTL=1h", d)
	}
	if n := countRows(t, a, "mail_outbox")["mail_outbox"]; n != 1 {
		t.Errorf("%d messages in the outbox, want 1", n)
	}
}

func normalize(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

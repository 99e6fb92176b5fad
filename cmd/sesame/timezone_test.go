package main

import (
	"context"
	"strings"
	"testing"
)

// TestTimezone checks SESAME_TIMEZONE and --timezone: the invitation
// mail writes its expiry in the display zone (Africa/Douala by default),
// and an unknown zone stops the command with a message that names it.
func TestTimezone(t *testing.T) {
	e := sqliteEnv(t)
	accountID := createAccount(t, "owner@example.com", "Acme")
	for _, tc := range []struct {
		name, env, email, want string
	}{
		{"default zone", "", "a@example.com", "(WAT)"},
		{"configured zone", "UTC", "b@example.com", "(UTC)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SESAME_TIMEZONE", tc.env)
			mustSesame(t, "", "members", "invite", "--account", accountID, "--email", tc.email, "--rights", "domain:read")
			// The command writes the email in its zone; a serving instance sends it.
			if _, err := openTestApp(t).Outbox.DeliverDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			msgs := e.Mail.MessagesTo(tc.email)
			if len(msgs) != 1 || !strings.Contains(msgs[0].Text, tc.want) {
				t.Fatalf("%d messages; want one whose expiry is written %s", len(msgs), tc.want)
			}
		})
	}
	t.Run("unknown zone", func(t *testing.T) {
		t.Setenv("SESAME_TIMEZONE", "Mars/Olympus")
		_, err := sesame(t, "", "members", "invite", "--account", accountID, "--email", "c@example.com", "--rights", "domain:read")
		if err == nil || !strings.Contains(err.Error(), "SESAME_TIMEZONE") || !strings.Contains(err.Error(), "Mars/Olympus") {
			t.Fatalf("err = %v, want a refusal naming SESAME_TIMEZONE and the zone", err)
		}
	})
	t.Run("unknown zone by flag", func(t *testing.T) {
		_, err := sesame(t, "", "serve", "--timezone", "Nowhere/Town")
		if err == nil || !strings.Contains(err.Error(), "Nowhere/Town") {
			t.Fatalf("err = %v, want a refusal naming the zone", err)
		}
	})
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// membersInvite invites a login account exactly as the console does: the
// invitation is stored and its email queued in the same transaction. The
// command sends nothing itself: the running Sésame instances deliver the
// outbox, so that a command never takes (or prints) other people's mail.
func membersInvite(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	cfg := loadConfig()
	fs := flag.NewFlagSet("members invite", flag.ContinueOnError)
	bindFlags(&cfg, fs, false)
	fs.StringVar(&cfg.Issuer, "issuer", cfg.Issuer, "Sésame's public URL, for the link (SESAME_ISSUER)")
	accountID := fs.String("account", "", "account ID, e.g. id482913")
	email := fs.String("email", "", "email address of the person to invite")
	rights := fs.String("rights", "", "comma-separated rights, e.g. domain:read,domain:dns:example.cm")
	lang := fs.String("lang", "fr", "language of the email: fr or en")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "account", "email", "rights"); err != nil {
		return err
	}
	var grants []rbac.Grant
	for _, r := range splitList(*rights) {
		grants = append(grants, rbac.Grant{Right: r})
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	inv, err := a.Members.Invite(ctx, members.Operator(), members.InviteRequest{
		AccountID: *accountID, Email: *email, Grants: grants, Lang: *lang,
	})
	if err != nil {
		return fmt.Errorf("members invite: %w", err)
	}
	return output(stdout, *asJSON,
		map[string]string{"invitation_id": inv.ID, "expires_at": inv.ExpiresAt.UTC().Format(time.RFC3339)},
		fmt.Sprintf("invitation %s for %s in %s, expires %s; email queued (a running Sésame sends it)",
			inv.ID, inv.Email, inv.AccountID, inv.ExpiresAt.UTC().Format(time.RFC3339)))
}

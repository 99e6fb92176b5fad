package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/sesame-idp/sesame/account"
)

// accountsResetMFA removes a person's second factors: the owner with this
// email, or with --account the member of that account. The account's
// trail records it as done by the operator.
func accountsResetMFA(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	cfg := loadConfig()
	fs := flag.NewFlagSet("accounts reset-mfa", flag.ContinueOnError)
	bindFlags(&cfg, fs, false)
	email := fs.String("email", "", "the person's email address")
	accountID := fs.String("account", "", "the account ID (default: the owner with this email)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "email"); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	var m account.Member
	if *accountID == "" {
		m, err = a.Accounts.OwnerByEmail(ctx, *email)
	} else {
		m, err = a.Accounts.MemberByEmail(ctx, *accountID, *email)
	}
	if err != nil {
		return fmt.Errorf("accounts reset-mfa: %w", err)
	}
	if err := a.Accounts.ResetSecondFactors(ctx, m.ID, "operator (CLI)", ""); err != nil {
		return fmt.Errorf("accounts reset-mfa: %w", err)
	}
	return output(stdout, *asJSON, map[string]string{"account_id": m.AccountID, "user_id": m.ID},
		fmt.Sprintf("second factors of %s in %s removed", m.Email, m.AccountID))
}

package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sesame-idp/sesame/account"
)

// TestAccountsResetMFA: the operator removes the second factors of an
// owner and of a login account; the account's trail records it.
func TestAccountsResetMFA(t *testing.T) {
	eachDB(t, func(t *testing.T, e testEnv) {
		ctx := context.Background()
		acct := jsonObject(t, mustSesame(t, ownerPassword+"\n", "accounts", "create", "--email", "owner@example.com", "--name", "Acme", "--password-stdin", "--json"), "account_id", "user_id")
		a := openTestApp(t)
		enrol := func(memberID string) {
			uri, err := a.Accounts.PendingTOTP(ctx, memberID)
			if err != nil {
				t.Fatal(err)
			}
			key, _ := otp.NewKeyFromURL(uri)
			code, _ := totp.GenerateCodeCustom(key.Secret(), time.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
			if _, err := a.Accounts.ConfirmTOTP(ctx, memberID, code, ""); err != nil {
				t.Fatal(err)
			}
		}
		enrol(acct["user_id"])
		hash, _ := a.Accounts.Hasher().Hash(ctx, "Technicien#2026")
		tech, err := a.Accounts.CreateMember(ctx, acct["account_id"], "tech@example.com", "", account.StatusActive, hash)
		if err != nil {
			t.Fatal(err)
		}
		enrol(tech.ID)

		out := jsonObject(t, mustSesame(t, "", "accounts", "reset-mfa", "--email", "owner@example.com", "--json"), "account_id", "user_id")
		if out["user_id"] != acct["user_id"] {
			t.Fatalf("reset %v", out)
		}
		if f, _ := a.Accounts.SecondFactors(ctx, acct["user_id"]); f.Any() || f.RecoveryCodesLeft != 0 {
			t.Fatalf("owner's factors after reset: %+v", f)
		}
		if f, _ := a.Accounts.SecondFactors(ctx, tech.ID); !f.Any() {
			t.Fatal("the login account lost its factor with the owner's reset")
		}
		if out := mustSesame(t, "", "accounts", "reset-mfa", "--email", "tech@example.com", "--account", acct["account_id"]); !strings.Contains(out, "tech@example.com") {
			t.Fatalf("output %q", out)
		}
		if f, _ := a.Accounts.SecondFactors(ctx, tech.ID); f.Any() {
			t.Fatal("the login account kept its factor")
		}
		var n int
		if err := a.DB.GetContext(ctx, &n, a.DB.Rebind(`SELECT COUNT(*) FROM audit_events WHERE account_id = ? AND action = 'mfa.reset'`), acct["account_id"]); err != nil || n != 2 {
			t.Fatalf("audit: %d resets, %v", n, err)
		}
		// The person is told, in French, that the operator did it.
		var texts []string
		if err := a.DB.SelectContext(ctx, &texts, a.DB.Rebind(`SELECT text_body FROM mail_outbox WHERE recipient = ? AND subject = ?`),
			"tech@example.com", "Sésame : double authentification supprimée"); err != nil || len(texts) != 1 ||
			!strings.Contains(texts[0], "supprimée par l'exploitant de la plateforme") {
			t.Fatalf("notice of the reset: %q, %v", texts, err)
		}
		if _, err := sesame(t, "", "accounts", "reset-mfa", "--email", "nobody@example.com"); !errors.Is(err, account.ErrNotFound) {
			t.Fatalf("unknown email: %v", err)
		}
		if _, err := sesame(t, "", "accounts", "reset-mfa"); err == nil || !strings.Contains(err.Error(), "--email is required") {
			t.Fatalf("no email: %v", err)
		}
	})
}

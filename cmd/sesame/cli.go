package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/app"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/oauth"
)

// openApp opens Sésame for an operator command: logs go to stderr so that
// stdout holds only the command's output.
func openApp(ctx context.Context, cfg config) (*app.App, error) {
	cfg.Logger = newLogger(os.Stderr)
	return app.Open(ctx, cfg)
}

func openDatabase(ctx context.Context, cfg config) (*db.DB, error) {
	return db.Open(ctx, cfg.DatabaseURL)
}

// passwordFromStdin reads the password of a command that requires
// --password-stdin.
func passwordFromStdin(fs *flag.FlagSet, given bool, stdin io.Reader) (string, error) {
	if !given {
		return "", fmt.Errorf("%s: --password-stdin is required", fs.Name())
	}
	return readPassword(stdin)
}

// readPassword reads one line from stdin (--password-stdin).
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on stdin")
	}
	return pw, nil
}

// output prints v as one JSON object with --json, or the text otherwise.
func output(w io.Writer, asJSON bool, v any, text string) error {
	if asJSON {
		return json.NewEncoder(w).Encode(v)
	}
	_, err := fmt.Fprintln(w, text)
	return err
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func requireFlags(fs *flag.FlagSet, names ...string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, n := range names {
		if !set[n] {
			return fmt.Errorf("%s: --%s is required", fs.Name(), n)
		}
	}
	return nil
}

func accountsCreate(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	cfg := loadConfig()
	fs := flag.NewFlagSet("accounts create", flag.ContinueOnError)
	bindFlags(&cfg, fs, false)
	email := fs.String("email", "", "owner's email address")
	name := fs.String("name", "", "account name (also the owner's display name)")
	pwStdin := fs.Bool("password-stdin", false, "read the owner's password from stdin")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "email", "name", "password-stdin"); err != nil {
		return err
	}
	pw, err := passwordFromStdin(fs, *pwStdin, stdin)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	acct, owner, err := a.Accounts.CreateAccount(ctx, *name, *email, *name, pw)
	if err != nil {
		return fmt.Errorf("accounts create: %w", err)
	}
	return output(stdout, *asJSON, map[string]string{"account_id": acct.ID, "user_id": owner.ID},
		fmt.Sprintf("account %s created; owner %s (%s)", acct.ID, owner.Email, owner.ID))
}

func adminsCreate(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	cfg := loadConfig()
	fs := flag.NewFlagSet("admins create", flag.ContinueOnError)
	bindFlags(&cfg, fs, false)
	email := fs.String("email", "", "admin's email address")
	pwStdin := fs.Bool("password-stdin", false, "read the password from stdin")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "email", "password-stdin"); err != nil {
		return err
	}
	pw, err := passwordFromStdin(fs, *pwStdin, stdin)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	adm, err := a.Accounts.CreateAdmin(ctx, *email, pw)
	if err != nil {
		return fmt.Errorf("admins create: %w", err)
	}
	return output(stdout, *asJSON, map[string]string{"admin_id": adm.ID, "email": adm.Email},
		fmt.Sprintf("platform admin %s created (%s)", adm.Email, adm.ID))
}

func keysRotate(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	cfg := loadConfig()
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	bindFlags(&cfg, fs, false)
	alg := fs.String("alg", oauth.ES256, "algorithm of the key to rotate: ES256 or RS256")
	after := fs.Duration("activate-after", 30*time.Second,
		fmt.Sprintf("publish the new key at once, sign with it after this delay (at least the %s at which instances reload keys)", app.KeyReloadInterval))
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *alg != oauth.ES256 && *alg != oauth.RS256 {
		return fmt.Errorf("keys rotate: --alg must be ES256 or RS256, not %q", *alg)
	}
	if *after < app.KeyReloadInterval {
		return fmt.Errorf("keys rotate: --activate-after %s is shorter than the %s at which instances reload signing keys: "+
			"tokens signed with the new key would reach products before every instance publishes it; use at least %s",
			*after, app.KeyReloadInterval, app.KeyReloadInterval)
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	k, err := a.OAuth.Keys.Rotate(ctx, *alg, *after)
	if err != nil {
		return err
	}
	activates := k.ActivatesAt.UTC().Format(time.RFC3339)
	return output(stdout, *asJSON, map[string]string{"kid": k.KID, "alg": k.Alg, "activates_at": activates},
		fmt.Sprintf("new %s signing key %s, published now, signing from %s; the previous one stays published for %.0fh",
			k.Alg, k.KID, activates, app.KeyPublishTime.Hours()))
}

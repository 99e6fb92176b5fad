package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// The binary carries the time zone database, so that SESAME_TIMEZONE
	// works on machines without /usr/share/zoneinfo.
	_ "time/tzdata"
)

const usage = `Sésame — identity provider (OpenID Connect) of the hosting company.

Usage:
  sesame serve [--addr A] [--issuer URL] [--no-migrate]   run the server
  sesame migrate                                          apply pending migrations
  sesame accounts create --email E --name N --password-stdin [--json]
  sesame accounts reset-mfa --email E [--account ID] [--json]
  sesame clients create --id ID --name N [--redirect-uri U]… [--public] [--first-party]
                        [--grant-types a,b] [--scopes a,b] [--audience a,b] [--id-token-alg ES256|RS256] [--json]
  sesame members invite --account ID --email E --rights r1,r2 [--lang fr|en] [--json]
  sesame admins create --email E --password-stdin
  sesame keys rotate [--alg ES256|RS256] [--activate-after 30s]
  sesame demo                                             Sésame + three demo panels, seeded
  sesame config check [--json]                            effective configuration and its problems
  sesame outbox list [--kind mail] [--all] [--json]       messages waiting (or all kept)
  sesame outbox retry [--kind mail] (--id N… | --all)     make waiting messages due now

Configuration comes from the environment (flags of the same meaning override it):
  SESAME_ADDR (localhost:8080)   SESAME_ISSUER (http://ADDR)   SESAME_DATABASE_URL (sqlite:sesame.db)
  SESAME_SMTP_URL (unset: mail to the log)   SESAME_MAIL_FROM   SESAME_SECRETS (unset: generated once)
  SESAME_METRICS_ADDR (unset: no metrics)    SESAME_KEY_ROTATION (e.g. 30d; unset: by hand only)
`

// command is one subcommand: it parses its own flags from args.
type command func(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error

var commands = map[string]command{
	"serve":              serve,
	"migrate":            migrate,
	"accounts create":    accountsCreate,
	"accounts reset-mfa": accountsResetMFA,
	"clients create":     clientsCreate,
	"members invite":     membersInvite,
	"admins create":      adminsCreate,
	"keys rotate":        keysRotate,
	"demo":               demo,
	"config check":       configCheck,
	"outbox list":        outboxList,
	"outbox retry":       outboxRetry,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "sesame:", err)
		os.Exit(1)
	}
}

// errUsage is returned for a command line that names no command.
var errUsage = errors.New("unknown command; run 'sesame help'")

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(ctx, args[1:], stdin, stdout)
	}
	if len(args) >= 2 {
		if cmd, ok := commands[args[0]+" "+args[1]]; ok {
			return cmd(ctx, args[2:], stdin, stdout)
		}
	}
	return errUsage
}

package main

import (
	"errors"
	"flag"
	"maps"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/rbac"
)

// TestCommandErrors checks that a wrong command line fails with a clear
// message and creates nothing.
func TestCommandErrors(t *testing.T) {
	e := sqliteEnv(t)
	accountID := createAccount(t, "owner@example.com", "Acme")
	mustSesame(t, "", "clients", "create", "--id", "taken", "--name", "Taken", "--json")
	a := openTestApp(t)
	tables := []string{"accounts", "members", "admins", "oauth_clients", "invitations", "mail_outbox", "signing_keys"}
	before := countRows(t, a, tables...)

	acctCreate := func(extra ...string) []string {
		return append([]string{"accounts", "create", "--email", "new@example.com", "--name", "New"}, extra...)
	}
	invite := func(extra ...string) []string {
		return append([]string{"members", "invite", "--account", accountID, "--email", "tech@example.com"}, extra...)
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		is    error  // when set, errors.Is(err, is)
		msg   string // the message contains it
	}{
		{name: "unknown command", args: []string{"frobnicate"}, is: errUsage, msg: "unknown command"},
		{name: "group without verb", args: []string{"accounts"}, is: errUsage},
		{name: "unknown verb", args: []string{"accounts", "delete", "--email", "owner@example.com"}, is: errUsage},
		{name: "unknown flag", args: acctCreate("--password-stdin", "--bogus"), stdin: ownerPassword, msg: "flag provided but not defined: -bogus"},
		{name: "subcommand help", args: []string{"clients", "create", "--help"}, is: flag.ErrHelp},

		{name: "accounts: missing email", args: []string{"accounts", "create", "--name", "N", "--password-stdin"}, stdin: ownerPassword, msg: "accounts create: --email is required"},
		{name: "accounts: missing name", args: []string{"accounts", "create", "--email", "n@example.com", "--password-stdin"}, stdin: ownerPassword, msg: "--name is required"},
		{name: "accounts: no --password-stdin", args: acctCreate(), stdin: ownerPassword, msg: "--password-stdin is required"},
		{name: "accounts: --password-stdin=false", args: acctCreate("--password-stdin=false"), stdin: ownerPassword, msg: "--password-stdin is required"},
		{name: "accounts: empty stdin", args: acctCreate("--password-stdin"), stdin: "", msg: "no password on stdin"},
		{name: "accounts: empty line on stdin", args: acctCreate("--password-stdin"), stdin: "\n" + ownerPassword + "\n", msg: "no password on stdin"},
		{name: "accounts: weak password", args: acctCreate("--password-stdin"), stdin: "password\n", is: account.ErrWeakPassword, msg: "password does not meet the policy"},
		{name: "accounts: short password", args: acctCreate("--password-stdin"), stdin: "Ab1!x\n", is: account.ErrWeakPassword},
		{name: "accounts: invalid email", args: []string{"accounts", "create", "--email", "not-an-email", "--name", "N", "--password-stdin"}, stdin: ownerPassword, is: account.ErrInvalidEmail},
		{name: "accounts: owner email taken", args: []string{"accounts", "create", "--email", "owner@example.com", "--name", "Again", "--password-stdin"}, stdin: ownerPassword, is: account.ErrAlreadyExists},

		{name: "admins: missing email", args: []string{"admins", "create", "--password-stdin"}, stdin: ownerPassword, msg: "admins create: --email is required"},
		{name: "admins: weak password", args: []string{"admins", "create", "--email", "adm@example.com", "--password-stdin"}, stdin: "admin\n", is: account.ErrWeakPassword},
		{name: "admins: empty stdin", args: []string{"admins", "create", "--email", "adm@example.com", "--password-stdin"}, msg: "no password on stdin"},

		{name: "clients: missing id", args: []string{"clients", "create", "--name", "N"}, msg: "clients create: --id is required"},
		{name: "clients: missing name", args: []string{"clients", "create", "--id", "x"}, msg: "--name is required"},
		{name: "clients: duplicate id", args: []string{"clients", "create", "--id", "taken", "--name", "Again", "--json"}, is: db.ErrAlreadyExists, msg: "already exists"},
		{name: "clients: malformed id", args: []string{"clients", "create", "--id", "bad id", "--name", "N"}, is: sqlstore.ErrInvalidClient},
		{name: "clients: code flow without redirect URI", args: []string{"clients", "create", "--id", "web", "--name", "W", "--grant-types", "authorization_code"}, is: sqlstore.ErrInvalidClient, msg: "redirect URI"},
		{name: "clients: public client credentials", args: []string{"clients", "create", "--id", "pub", "--name", "P", "--public", "--grant-types", "client_credentials"}, is: sqlstore.ErrInvalidClient},
		{name: "clients: password grant", args: []string{"clients", "create", "--id", "pw", "--name", "P", "--grant-types", "password"}, is: sqlstore.ErrInvalidClient, msg: `"password"`},
		{name: "clients: bad --id-token-alg", args: []string{"clients", "create", "--id", "hs", "--name", "H", "--id-token-alg", "HS256"}, is: sqlstore.ErrInvalidClient, msg: "HS256"},
		{name: "clients: redirect URI with fragment", args: []string{"clients", "create", "--id", "frag", "--name", "F", "--redirect-uri", "https://f.example/cb#x"}, is: sqlstore.ErrInvalidClient},
		{name: "clients: back-channel logout over http elsewhere", args: []string{"clients", "create", "--id", "bcl1", "--name", "B", "--redirect-uri", "https://b.example/cb", "--backchannel-logout-uri", "http://b.example/logout"}, is: sqlstore.ErrInvalidClient, msg: "back-channel logout URI"},
		{name: "clients: home page over http elsewhere", args: []string{"clients", "create", "--id", "cu1", "--name", "C", "--redirect-uri", "https://c.example/cb", "--client-uri", "http://c.example/"}, is: sqlstore.ErrInvalidClient, msg: "client URI"},
		{name: "clients: product not a product name", args: []string{"clients", "create", "--id", "cu2", "--name", "C", "--redirect-uri", "https://c.example/cb", "--product", "Server:read"}, is: sqlstore.ErrInvalidClient, msg: "product"},
		{name: "clients: back-channel logout with fragment", args: []string{"clients", "create", "--id", "bcl2", "--name", "B", "--redirect-uri", "https://b.example/cb", "--backchannel-logout-uri", "https://b.example/logout#x"}, is: sqlstore.ErrInvalidClient, msg: "fragment"},
		{name: "clients: relative events URI", args: []string{"clients", "create", "--id", "ev1", "--name", "E", "--redirect-uri", "https://b.example/cb", "--events-uri", "/events"}, is: sqlstore.ErrInvalidClient, msg: "events URI"},
		{name: "clients: events URI of another scheme", args: []string{"clients", "create", "--id", "ev2", "--name", "E", "--redirect-uri", "https://b.example/cb", "--events-uri", "ftp://b.example/events"}, is: sqlstore.ErrInvalidClient, msg: "https"},
		{name: "clients: public without PKCE", args: []string{"clients", "create", "--id", "spa", "--name", "S", "--public", "--require-pkce=false", "--redirect-uri", "https://s.example/cb"}, msg: "--require-pkce=false is refused for a public client"},
		{name: "clients: none without PKCE", args: []string{"clients", "create", "--id", "spa", "--name", "S", "--auth-method", "none", "--require-pkce=false", "--redirect-uri", "https://s.example/cb"}, msg: "--require-pkce=false is refused for a public client"},
		{name: "clients: public with a secret method", args: []string{"clients", "create", "--id", "spa", "--name", "S", "--public", "--auth-method", "client_secret_post", "--redirect-uri", "https://s.example/cb"}, msg: "--public means --auth-method none"},
		{name: "clients: unknown auth method", args: []string{"clients", "create", "--id", "jwt", "--name", "J", "--auth-method", "private_key_jwt"}, msg: "--auth-method must be"},
		{name: "clients: post-logout URI with fragment", args: []string{"clients", "create", "--id", "plf", "--name", "F", "--redirect-uri", "https://f.example/cb", "--post-logout-redirect-uri", "https://f.example/out#x"}, is: sqlstore.ErrInvalidClient, msg: "post-logout"},

		{name: "members: missing account", args: []string{"members", "invite", "--email", "tech@example.com", "--rights", "domain:read"}, msg: "members invite: --account is required"},
		{name: "members: missing email", args: []string{"members", "invite", "--account", accountID, "--rights", "domain:read"}, msg: "--email is required"},
		{name: "members: unknown right", args: invite("--rights", "domain:read,domain:fly"), is: rbac.ErrUnknownRight, msg: "domain:fly"},
		{name: "members: malformed right", args: invite("--rights", "everything"), msg: "invalid rights"},
		{name: "members: unknown account", args: []string{"members", "invite", "--account", "id000001", "--email", "tech@example.com", "--rights", "domain:read"}, is: members.ErrNotFound},
		{name: "members: malformed account", args: []string{"members", "invite", "--account", "acme", "--email", "tech@example.com", "--rights", "domain:read"}, is: members.ErrNotFound},
		{name: "members: invalid email", args: []string{"members", "invite", "--account", accountID, "--email", "tech@", "--rights", "domain:read"}, is: account.ErrInvalidEmail},
		{name: "members: the owner", args: []string{"members", "invite", "--account", accountID, "--email", "owner@example.com", "--rights", "domain:read"}, is: members.ErrAlreadyMember},

		{name: "keys: bad --alg", args: []string{"keys", "rotate", "--alg", "HS256"}, msg: `keys rotate: --alg must be ES256 or RS256, not "HS256"`},
		{name: "keys: empty --alg", args: []string{"keys", "rotate", "--alg", ""}, msg: "--alg must be ES256 or RS256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := sesame(t, tt.stdin, tt.args...)
			if err == nil {
				t.Fatalf("no error; output %q", out)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if after := countRows(t, a, tables...); !maps.Equal(after, before) {
				t.Errorf("rows before %v, after %v", before, after)
			}
		})
	}
	if n := len(e.Mail.Messages()); n != 0 {
		t.Errorf("%d messages sent by failed commands", n)
	}
}

// TestHelp checks that help, -h, --help and no argument print the usage,
// which names every command.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"-h"}, {"--help"}} {
		out, err := sesame(t, "", args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if out != usage {
			t.Errorf("%v printed %q, want the usage", args, out)
		}
	}
	for name := range commands {
		if !strings.Contains(usage, "sesame "+name) {
			t.Errorf("usage does not name %q", name)
		}
	}
	for _, contract := range []string{
		"accounts create --email E --name N --password-stdin [--json]",
		"members invite --account ID --email E --rights r1,r2",
		"admins create --email E --password-stdin",
		"SESAME_DATABASE_URL", "SESAME_SMTP_URL", "SESAME_ISSUER", "SESAME_SECRETS", "SESAME_ADDR", "SESAME_MAIL_FROM",
	} {
		if !strings.Contains(usage, contract) {
			t.Errorf("usage lacks %q", contract)
		}
	}
}

package main

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

const ownerPassword = "Vq7#kLm2-Pzr9!wX"

var accountIDPattern = regexp.MustCompile(`^id[0-9]{6,10}$`)

// TestMainCommands runs the operator's commands one after the other on a
// fresh database of each dialect, parsing their --json output as scripts
// do, and checks through the services that what they print exists.
func TestMainCommands(t *testing.T) {
	eachDB(t, func(t *testing.T, e testEnv) {
		ctx := context.Background()

		acct := jsonObject(t, mustSesame(t, ownerPassword+"\n",
			"accounts", "create", "--email", "owner@example.com", "--name", "Hébergement Test", "--password-stdin", "--json"),
			"account_id", "user_id")
		if !accountIDPattern.MatchString(acct["account_id"]) {
			t.Errorf("account_id %q is not id + 6 to 10 digits", acct["account_id"])
		}

		svc := jsonObject(t, mustSesame(t, "",
			"clients", "create", "--id", "billing", "--name", "Billing", "--scopes", "sesame:authz", "--json"),
			"client_id", "client_secret")
		spa := jsonObject(t, mustSesame(t, "",
			"clients", "create", "--id", "spa", "--name", "Single page", "--public", "--redirect-uri", "http://localhost:3000/cb", "--json"),
			"client_id")

		inv := jsonObject(t, mustSesame(t, "",
			"members", "invite", "--account", acct["account_id"], "--email", "tech@example.com", "--rights", "domain:read,server:operate", "--json"),
			"invitation_id", "expires_at")

		if out := mustSesame(t, "Adm1n-Pa55word!x\n", "admins", "create", "--email", "admin@example.com", "--password-stdin"); !strings.Contains(out, "admin@example.com") {
			t.Errorf("admins create printed %q", out)
		}

		a := openTestApp(t)
		initialES256 := kidsOf(a.OAuth.Keys.JWKS().Keys, "ES256")
		rot := jsonObject(t, mustSesame(t, "", "keys", "rotate", "--json"), "alg", "kid", "activates_at")
		if out := mustSesame(t, "", "migrate"); out != "0 migration(s) applied\n" {
			t.Errorf("migrate on a migrated database printed %q", out)
		}

		// The account, its owner and the owner's password.
		owner, err := a.Accounts.Member(ctx, acct["user_id"])
		if err != nil {
			t.Fatalf("owner %s: %v", acct["user_id"], err)
		}
		if owner.AccountID != acct["account_id"] || owner.Role != account.RoleOwner || owner.Email != "owner@example.com" || owner.Status != account.StatusActive {
			t.Errorf("owner = %+v", owner)
		}
		if got, err := a.Accounts.Account(ctx, acct["account_id"]); err != nil || got.Name != "Hébergement Test" {
			t.Errorf("account = %+v, %v", got, err)
		}
		m, err := a.Accounts.Authenticate(ctx, account.Credentials{Email: "owner@example.com", Password: ownerPassword, IP: "192.0.2.1"})
		if err != nil || m.ID != acct["user_id"] {
			t.Errorf("owner sign-in with the stdin password: %+v, %v", m, err)
		}
		if _, err := a.Accounts.AuthenticateAdmin(ctx, "admin@example.com", "Adm1n-Pa55word!x", "192.0.2.1"); err != nil {
			t.Errorf("admin sign-in with the stdin password: %v", err)
		}

		// The confidential client gets a token with its printed secret.
		if len(svc["client_secret"]) < 43 {
			t.Errorf("client_secret has %d characters, want at least 43", len(svc["client_secret"]))
		}
		srv := serveTestApp(t, a)
		status, body := clientCredentials(t, srv, svc["client_id"], svc["client_secret"], "sesame:authz")
		if status != http.StatusOK || body["access_token"] == nil {
			t.Errorf("token request with the printed secret: %d %v", status, body)
		}
		if status, _ := clientCredentials(t, srv, svc["client_id"], svc["client_secret"]+"x", "sesame:authz"); status != http.StatusUnauthorized {
			t.Errorf("token request with a wrong secret: %d, want 401", status)
		}
		if c, err := a.Clients.GetClient(ctx, spa["client_id"]); err != nil || !c.IsPublic() || len(c.GetHashedSecret()) != 0 {
			t.Errorf("public client = %+v, %v", c, err)
		}

		// The invitation, stored and queued.
		stored, err := a.Members.Invitation(ctx, members.Operator(), acct["account_id"], inv["invitation_id"])
		if err != nil {
			t.Fatalf("invitation %s: %v", inv["invitation_id"], err)
		}
		if stored.Email != "tech@example.com" || stored.Status != members.InvitationPending ||
			strings.Join(stored.Rights(), ",") != "domain:read,server:operate" {
			t.Errorf("invitation = %+v", stored)
		}
		if got := stored.ExpiresAt.UTC().Format(time.RFC3339); got != inv["expires_at"] {
			t.Errorf("expires_at %s, stored %s", inv["expires_at"], got)
		}
		// Queued by the command, sent by a serving instance.
		if n := len(e.Mail.MessagesTo("tech@example.com")); n != 0 {
			t.Fatalf("%d messages to the invitee when the command returned, want 0 (queued)", n)
		}
		if _, err := a.Outbox.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		msgs := e.Mail.MessagesTo("tech@example.com")
		if len(msgs) != 1 {
			t.Fatalf("%d messages to the invitee once delivered, want 1", len(msgs))
		}
		if !strings.Contains(msgs[0].Text, acct["account_id"]) || !strings.Contains(msgs[0].Text, testIssuer+"/invitation/") {
			t.Errorf("invitation email lacks the account ID or the link:\n%s", msgs[0].Text)
		}

		// The rotated key: published next to the previous one.
		if rot["alg"] != "ES256" {
			t.Errorf("rotated alg %q, want ES256", rot["alg"])
		}
		if err := a.OAuth.Keys.Refresh(ctx, 0); err != nil {
			t.Fatal(err)
		}
		after := kidsOf(a.OAuth.Keys.JWKS().Keys, "ES256")
		if len(initialES256) != 1 || len(after) != 2 || !after[rot["kid"]] || !after[firstKey(initialES256)] {
			t.Errorf("ES256 keys before %v, after %v, rotated %s", initialES256, after, rot["kid"])
		}
	})
}

// TestClientsCreate checks what clients create stores for each kind of
// client, and its output in both forms.
func TestClientsCreate(t *testing.T) {
	sqliteEnv(t)
	tests := []struct {
		name       string
		args       []string
		public     bool
		firstParty bool
		grants     string
		scopes     string
		audience   string
		redirects  string
		alg        string
		push       string // back-channel logout URI, events URI
		authMethod string // "" = client_secret_basic, or none when public
		noPKCE     bool
		postLogout string
		link       string // client URI, product
	}{
		{
			name:   "service without redirect URI gets client_credentials",
			args:   []string{"--id", "svc.billing", "--name", "Billing"},
			grants: "client_credentials", scopes: "openid,profile,email,offline_access", alg: "ES256",
		},
		{
			name:       "first-party web app",
			args:       []string{"--id", "domain-panel", "--name", "Panneau", "--first-party", "--redirect-uri", "https://domain.example/callback", "--redirect-uri", "https://domain.example/cb2"},
			firstParty: true, grants: "authorization_code,refresh_token", scopes: "openid,profile,email,offline_access",
			redirects: "https://domain.example/callback,https://domain.example/cb2", alg: "ES256",
		},
		{
			name:   "public native app",
			args:   []string{"--id", "cli-app", "--name", "CLI", "--public", "--redirect-uri", "http://127.0.0.1:7777/cb", "--scopes", "openid,offline_access"},
			public: true, grants: "authorization_code,refresh_token", scopes: "openid,offline_access",
			redirects: "http://127.0.0.1:7777/cb", alg: "ES256",
		},
		{
			name: "every option",
			args: []string{"--id", "full", "--name", "Full", "--redirect-uri", "https://full.example/cb",
				"--grant-types", "authorization_code, refresh_token,client_credentials", "--scopes", "openid,sesame:authz",
				"--audience", "https://api.example,https://other.example", "--id-token-alg", "RS256"},
			grants: "authorization_code,refresh_token,client_credentials", scopes: "openid,sesame:authz",
			audience: "https://api.example,https://other.example", redirects: "https://full.example/cb", alg: "RS256",
		},
		{
			name: "product told of sign-outs and rights changes",
			args: []string{"--id", "pushed", "--name", "Pushed", "--first-party", "--redirect-uri", "http://localhost:8081/callback",
				"--backchannel-logout-uri", "http://localhost:8081/backchannel-logout", "--events-uri", "https://[::1]:8443/events"},
			firstParty: true, grants: "authorization_code,refresh_token", scopes: "openid,profile,email,offline_access",
			redirects: "http://localhost:8081/callback", alg: "ES256",
			push: "http://localhost:8081/backchannel-logout,https://[::1]:8443/events",
		},
		{
			name: "product linked from the account page",
			args: []string{"--id", "server-panel", "--name", "Serveurs", "--first-party", "--redirect-uri", "https://servers.example/callback",
				"--client-uri", "https://servers.example/", "--product", "server"},
			firstParty: true, grants: "authorization_code,refresh_token", scopes: "openid,profile,email,offline_access",
			redirects: "https://servers.example/callback", alg: "ES256", link: "https://servers.example/,server",
		},
		{
			name: "client_secret_post without PKCE, with post-logout redirect URIs",
			args: []string{"--id", "suite", "--name", "Suite", "--redirect-uri", "https://rp.example/cb", "--auth-method", "client_secret_post",
				"--require-pkce=false", "--post-logout-redirect-uri", "https://rp.example/out", "--post-logout-redirect-uri", "https://rp.example/bye"},
			grants: "authorization_code,refresh_token", scopes: "openid,profile,email,offline_access", redirects: "https://rp.example/cb", alg: "ES256",
			authMethod: "client_secret_post", noPKCE: true, postLogout: "https://rp.example/out,https://rp.example/bye",
		},
		{
			name:   "--auth-method none is --public",
			args:   []string{"--id", "native", "--name", "Native", "--auth-method", "none", "--redirect-uri", "com.example.app:/cb"},
			public: true, grants: "authorization_code,refresh_token", scopes: "openid,profile,email,offline_access",
			redirects: "com.example.app:/cb", alg: "ES256",
		},
	}
	a := openTestApp(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := []string{"client_id", "client_secret"}
			if tt.public {
				keys = keys[:1]
			}
			out := jsonObject(t, mustSesame(t, "", append([]string{"clients", "create", "--json"}, tt.args...)...), keys...)
			fc, err := a.Clients.GetClient(ctx, out["client_id"])
			if err != nil {
				t.Fatalf("client %s not stored: %v", out["client_id"], err)
			}
			c := fc.(*sqlstore.Client)
			got := []string{strings.Join(c.GrantTypes, ","), strings.Join(c.Scopes, ","), strings.Join(c.Audience, ","), strings.Join(c.RedirectURIs, ",")}
			want := []string{tt.grants, tt.scopes, tt.audience, tt.redirects}
			for i, field := range []string{"grant types", "scopes", "audience", "redirect URIs"} {
				if got[i] != want[i] {
					t.Errorf("%s = %q, want %q", field, got[i], want[i])
				}
			}
			if push := c.BackchannelLogoutURI + "," + c.EventsURI; push != tt.push && (tt.push != "" || push != ",") {
				t.Errorf("push URIs %q, want %q", push, tt.push)
			}
			if link := c.ClientURI + "," + c.Product; link != tt.link && (tt.link != "" || link != ",") {
				t.Errorf("client URI and product %q, want %q", link, tt.link)
			}
			if c.Public != tt.public || c.IsFirstParty != tt.firstParty || c.IDTokenAlg() != tt.alg {
				t.Errorf("public %v first-party %v alg %s, want %v %v %s", c.Public, c.IsFirstParty, c.IDTokenAlg(), tt.public, tt.firstParty, tt.alg)
			}
			method := tt.authMethod
			switch {
			case method == "" && tt.public:
				method = sqlstore.AuthNone
			case method == "":
				method = sqlstore.AuthClientSecretBasic
			}
			if c.GetTokenEndpointAuthMethod() != method || c.PKCERequired() == tt.noPKCE || strings.Join(c.PostLogoutRedirectURIs, ",") != tt.postLogout {
				t.Errorf("auth method %s, PKCE required %v, post-logout %v; want %s, %v, %s",
					c.GetTokenEndpointAuthMethod(), c.PKCERequired(), c.PostLogoutRedirectURIs, method, !tt.noPKCE, tt.postLogout)
			}
			if tt.public {
				return
			}
			if len(out["client_secret"]) < 43 {
				t.Errorf("client_secret has %d characters, want at least 43", len(out["client_secret"]))
			}
			h := sqlstore.SHA256Hasher{}
			if err := h.Compare(ctx, c.GetHashedSecret(), []byte(out["client_secret"])); err != nil {
				t.Errorf("the printed secret does not match the stored hash: %v", err)
			}
			if err := h.Compare(ctx, c.GetHashedSecret(), []byte(out["client_secret"][1:])); err == nil {
				t.Error("another secret matches the stored hash")
			}
		})
	}

	t.Run("text output shows the secret once", func(t *testing.T) {
		out := mustSesame(t, "", "clients", "create", "--id", "texty", "--name", "Texty")
		_, after, ok := strings.Cut(out, "client secret (shown once, keep it safe): ")
		if !strings.HasPrefix(out, "client texty created\n") || !ok {
			t.Fatalf("output %q", out)
		}
		fc, err := a.Clients.GetClient(ctx, "texty")
		if err != nil {
			t.Fatal(err)
		}
		if err := (sqlstore.SHA256Hasher{}).Compare(ctx, fc.GetHashedSecret(), []byte(strings.TrimSpace(after))); err != nil {
			t.Errorf("the printed secret does not match: %v", err)
		}
		if out := mustSesame(t, "", "clients", "create", "--id", "texty-public", "--name", "P", "--public", "--redirect-uri", "https://p.example/cb"); out != "client texty-public created (public)\n" {
			t.Errorf("public client output %q", out)
		}
	})
}

// TestAccountsCreateText checks the text output of accounts create and
// admins create, and that an owner's email is stored normalised.
func TestAccountsCreateText(t *testing.T) {
	sqliteEnv(t)
	out := mustSesame(t, ownerPassword, "accounts", "create", "--email", " Owner@Example.COM ", "--name", "Acme", "--password-stdin")
	m := regexp.MustCompile(`^account (id[0-9]{6,10}) created; owner owner@example\.com \((\S+)\)\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output %q", out)
	}
	a := openTestApp(t)
	owner, err := a.Accounts.Member(context.Background(), m[2])
	if err != nil || owner.AccountID != m[1] {
		t.Fatalf("owner %s of %s: %+v, %v", m[2], m[1], owner, err)
	}
	// A password without a final newline, with a CRLF: both are the password.
	if _, err := a.Accounts.Authenticate(context.Background(), account.Credentials{Email: "owner@example.com", AccountID: m[1], Password: ownerPassword}); err != nil {
		t.Errorf("sign-in: %v", err)
	}
	mustSesame(t, "Adm1n-Pa55word!x\r\n", "admins", "create", "--email", "root@example.com", "--password-stdin", "--json")
	if _, err := a.Accounts.AuthenticateAdmin(context.Background(), "root@example.com", "Adm1n-Pa55word!x", ""); err != nil {
		t.Errorf("admin sign-in with a CRLF-terminated stdin password: %v", err)
	}
	if _, err := a.Accounts.AuthenticateAdmin(context.Background(), "root@example.com", "Adm1n-Pa55word!x\r", ""); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("admin sign-in with the CR kept: %v, want ErrInvalidCredentials", err)
	}
}

func kidsOf(keys []jsonWebKey, alg string) map[string]bool {
	out := map[string]bool{}
	for _, k := range keys {
		if k.Algorithm == alg {
			out[k.KeyID] = true
		}
	}
	return out
}

func firstKey(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

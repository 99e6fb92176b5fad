package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/sesame-idp/sesame/app"
	"github.com/sesame-idp/sesame/cmd/demo-product/panel"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/secret"
)

// The demo's people. The passwords are printed: this is a local demo.
var demoPeople = []struct {
	email, password string
	rights          []string
	role            string
}{
	{"proprietaire@demo.example", "Proprio-Demo-2026!", nil, "titulaire du compte (tous les droits)"},
	{"technicien@demo.example", "Techno-Demo-2026!", []string{"domain:read", "server:read", "server:operate"}, "technicien : domaines en lecture, serveurs"},
	{"comptable@demo.example", "Compta-Demo-2026!", []string{"billing:read", "billing:pay", "email:read", "domain:dns:example.cm"}, "comptable : facturation, email en lecture, DNS de example.cm seulement"},
}

// demo starts Sésame and the three demo panels on localhost, on a fresh
// SQLite database, with an account, its owner and two login accounts.
func demo(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	host := fs.String("host", "localhost", "host name the browser uses")
	port := fs.Int("port", 8080, "Sésame's port; the panels take the next three")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "sesame-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr := fmt.Sprintf("%s:%d", *host, *port)
	cfg := app.Config{
		Addr:        addr,
		Issuer:      "http://" + addr,
		DatabaseURL: "sqlite:" + filepath.Join(dir, "sesame.db"),
		MailFrom:    "Sésame démo <no-reply@demo.example>",
		Secrets:     secret.Generate(),
		Logger:      newLogger(os.Stderr),
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	accountID, err := seedDemo(ctx, a)
	if err != nil {
		return err
	}
	var servers []*http.Server
	products := []string{"domain", "server", "email"}
	urls := make([]string, len(products))
	for i, product := range products {
		url := fmt.Sprintf("http://%s:%d", *host, *port+1+i)
		urls[i] = url
		h, err := demoPanel(ctx, a, product, url)
		if err != nil {
			return err
		}
		pln, err := net.Listen("tcp", fmt.Sprintf("%s:%d", *host, *port+1+i))
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, srv)
		go srv.Serve(pln)
	}
	fmt.Fprintf(stdout, `
Sésame démo — tout tourne sur cette machine, base SQLite temporaire.

  Sésame (fournisseur d'identité) : %[1]s/login
  Panneau Domaines               : %[2]s
  Panneau Serveurs               : %[3]s
  Panneau Email                  : %[4]s

Compte %[5]s ("Démo Hébergement"). Pour se connecter :
`, cfg.Issuer, urls[0], urls[1], urls[2], accountID)
	for _, p := range demoPeople {
		fmt.Fprintf(stdout, "  %-26s %-20s %s\n", p.email, p.password, p.role)
	}
	fmt.Fprintf(stdout, `
Les comptes de connexion (technicien, comptable) choisissent l'onglet
« Compte de connexion » et saisissent aussi l'identifiant %[1]s.
Essayez : ouvrez le panneau Domaines, connectez-vous en technicien, puis
ouvrez le panneau Serveurs : aucun mot de passe n'est redemandé. Dans
%[2]s/console, le titulaire invite, modifie les droits, désactive.
Les e-mails (invitations) s'affichent dans ce terminal. Ctrl-C pour arrêter.
`, accountID, cfg.Issuer)
	err = serveOn(ctx, a, ln)
	for _, srv := range servers {
		srv.Close()
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func seedDemo(ctx context.Context, a *app.App) (string, error) {
	owner := demoPeople[0]
	acct, _, err := a.Accounts.CreateAccount(ctx, "Démo Hébergement", owner.email, "Titulaire Démo", owner.password)
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	hasher := a.Accounts.Hasher()
	for _, p := range demoPeople[1:] {
		hash, err := hasher.Hash(ctx, p.password)
		if err != nil {
			return "", err
		}
		m, err := a.Accounts.CreateMember(ctx, acct.ID, p.email, "", "active", hash)
		if err != nil {
			return "", err
		}
		grants := make([]rbac.Grant, len(p.rights))
		for i, r := range p.rights {
			grants[i] = rbac.Grant{Right: r}
		}
		if err := a.Rights.SetGrants(ctx, acct.ID, m.ID, grants); err != nil {
			return "", err
		}
	}
	return acct.ID, nil
}

// panelPostLogoutURIs are where a demo panel's sign-out comes back: its
// signed-out page, and productkit's default, the panel's home page.
func panelPostLogoutURIs(base string) []string {
	return []string{base + "/signed-out", base + "/"}
}

// demoPanel registers the panel as a first-party client and builds it.
func demoPanel(ctx context.Context, a *app.App, product, url string) (http.Handler, error) {
	secretValue, err := sqlstore.NewClientSecret()
	if err != nil {
		return nil, err
	}
	c := &sqlstore.Client{
		ID: product + "-panel", Name: "Panneau " + product, RedirectURIs: []string{url + "/callback"}, IsFirstParty: true,
		PostLogoutRedirectURIs: panelPostLogoutURIs(url),
		GrantTypes:             []string{"authorization_code", "refresh_token", "client_credentials"},
		Scopes:                 []string{"openid", "profile", "email", "offline_access", "sesame:authz"},
		// Where the panel hears of ended sessions and changed rights.
		BackchannelLogoutURI: url + "/backchannel-logout", EventsURI: url + "/events",
		// Linked from "Mon compte" for those who hold rights on product.
		ClientURI: url, Product: product,
	}
	if err := a.Clients.CreateClient(ctx, c, secretValue); err != nil {
		return nil, err
	}
	return panel.New(panel.Config{
		Product: product, PublicURL: url, Issuer: a.Config.Issuer,
		ClientID: c.ID, ClientSecret: secretValue, CookieSecret: []byte(secret.Generate()),
		CheckCacheTTL: 5 * time.Second, Logger: a.Config.Logger,
	})
}

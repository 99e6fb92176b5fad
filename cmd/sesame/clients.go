package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/sesame-idp/sesame/oauth"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// defaultScopes are what a client may ask for when --scopes is not given.
var defaultScopes = []string{oauth.ScopeOpenID, oauth.ScopeProfile, oauth.ScopeEmail, oauth.ScopeOfflineAccess}

func clientsCreate(ctx context.Context, args []string, _ io.Reader, stdout io.Writer) error {
	cfg := loadConfig()
	fs := flag.NewFlagSet("clients create", flag.ContinueOnError)
	bindFlags(&cfg, fs, false)
	id := fs.String("id", "", "client ID")
	name := fs.String("name", "", "name shown to people on the consent page")
	var redirects stringList
	fs.Var(&redirects, "redirect-uri", "exact redirect URI (repeatable)")
	public := fs.Bool("public", false, "public client (no secret, PKCE required): browser or native apps")
	firstParty := fs.Bool("first-party", false, "one of the company's own products: no consent screen")
	grants := fs.String("grant-types", "", "comma-separated: authorization_code,refresh_token,client_credentials (default: the first two, or client_credentials without a redirect URI)")
	scopes := fs.String("scopes", "", "comma-separated scopes the client may request (default openid,profile,email,offline_access)")
	audience := fs.String("audience", "", "comma-separated audiences the client may request")
	alg := fs.String("id-token-alg", oauth.ES256, "token signing algorithm: ES256 or RS256")
	backchannel := fs.String("backchannel-logout-uri", "", "where Sésame posts logout tokens when a session signed into this client ends (https, or http on localhost)")
	eventsURI := fs.String("events-uri", "", "where Sésame pushes security events when a person's rights change (https, or http on localhost)")
	authMethod := fs.String("auth-method", "", "token endpoint authentication: client_secret_basic (default), client_secret_post or none (= --public)")
	requirePKCE := fs.Bool("require-pkce", true, "require PKCE; =false lets a confidential client rely on nonce instead (refused for public clients)")
	var postLogout stringList
	fs.Var(&postLogout, "post-logout-redirect-uri", "exact URI RP-initiated logout may return to (repeatable)")
	clientURI := fs.String("client-uri", "", "the product's home page, linked from people's account page (https, or http on localhost)")
	product := fs.String("product", "", "the product whose rights the client serves, e.g. server: the account page links to it those who hold one of its rights")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "id", "name"); err != nil {
		return err
	}
	switch *authMethod {
	case "", sqlstore.AuthClientSecretBasic, sqlstore.AuthClientSecretPost:
		if *public && *authMethod != "" {
			return fmt.Errorf("clients create: --public means --auth-method %s, not %s", sqlstore.AuthNone, *authMethod)
		}
	case sqlstore.AuthNone:
		*public = true
	default:
		return fmt.Errorf("clients create: --auth-method must be client_secret_basic, client_secret_post or none")
	}
	if *public && !*requirePKCE {
		return fmt.Errorf("clients create: --require-pkce=false is refused for a public client")
	}
	c := &sqlstore.Client{
		ID:                *id,
		Name:              *name,
		RedirectURIs:      redirects,
		GrantTypes:        splitList(*grants),
		Scopes:            splitList(*scopes),
		Audience:          splitList(*audience),
		Public:            *public,
		IsFirstParty:      *firstParty,
		IDTokenSigningAlg: *alg,

		BackchannelLogoutURI:    *backchannel,
		EventsURI:               *eventsURI,
		TokenEndpointAuthMethod: *authMethod,
		PKCEOptional:            !*requirePKCE,
		PostLogoutRedirectURIs:  postLogout,
		ClientURI:               *clientURI,
		Product:                 *product,
	}
	if len(c.GrantTypes) == 0 && len(c.RedirectURIs) == 0 && !c.Public {
		c.GrantTypes = []string{sqlstore.GrantClientCredentials}
	}
	if len(c.Scopes) == 0 {
		c.Scopes = defaultScopes
	}
	var secret string
	if !c.Public {
		var err error
		if secret, err = sqlstore.NewClientSecret(); err != nil {
			return err
		}
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Clients.CreateClient(ctx, c, secret); err != nil {
		return fmt.Errorf("clients create: %w", err)
	}
	out := map[string]string{"client_id": c.ID}
	text := fmt.Sprintf("client %s created (public)", c.ID)
	if secret != "" {
		out["client_secret"] = secret
		text = fmt.Sprintf("client %s created\nclient secret (shown once, keep it safe): %s", c.ID, secret)
	}
	return output(stdout, *asJSON, out, text)
}

package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db"
)

type clientRow struct {
	ID                      string    `db:"id"`
	Name                    string    `db:"name"`
	SecretHash              string    `db:"secret_hash"`
	RedirectURIs            string    `db:"redirect_uris"`
	GrantTypes              string    `db:"grant_types"`
	ResponseTypes           string    `db:"response_types"`
	Scopes                  string    `db:"scopes"`
	Audience                string    `db:"audience"`
	Public                  bool      `db:"public"`
	FirstParty              bool      `db:"first_party"`
	TokenEndpointAuthMethod string    `db:"token_endpoint_auth_method"`
	IDTokenAlg              string    `db:"id_token_alg"`
	CreatedAt               time.Time `db:"created_at"`
	BackchannelLogoutURI    string    `db:"backchannel_logout_uri"`
	EventsURI               string    `db:"events_uri"`
	RequirePKCE             bool      `db:"require_pkce"`
	PostLogoutRedirectURIs  string    `db:"post_logout_redirect_uris"`
	ClientURI               string    `db:"client_uri"`
	Product                 string    `db:"product"`
}

var clientColumnNames = []string{"id", "name", "secret_hash", "redirect_uris", "grant_types", "response_types",
	"scopes", "audience", "public", "first_party", "token_endpoint_auth_method", "id_token_alg", "created_at",
	"backchannel_logout_uri", "events_uri", "require_pkce", "post_logout_redirect_uris", "client_uri", "product"}

var (
	clientColumns = strings.Join(clientColumnNames, ", ")
	// joinedClientColumns selects the client of a joined request (alias c)
	// into requestRow.Client.
	joinedClientColumns = func() string {
		cols := make([]string, len(clientColumnNames))
		for i, c := range clientColumnNames {
			cols[i] = `c.` + c + ` AS "c.` + c + `"`
		}
		return strings.Join(cols, ", ")
	}()
)

// placeholders returns n comma-separated bind parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func (r clientRow) client() (*Client, error) {
	c := &Client{
		ID:                      r.ID,
		Name:                    r.Name,
		SecretHash:              r.SecretHash,
		Public:                  r.Public,
		IsFirstParty:            r.FirstParty,
		TokenEndpointAuthMethod: r.TokenEndpointAuthMethod,
		IDTokenSigningAlg:       r.IDTokenAlg,
		CreatedAt:               r.CreatedAt.UTC(),
		BackchannelLogoutURI:    r.BackchannelLogoutURI,
		EventsURI:               r.EventsURI,
		PKCEOptional:            !r.RequirePKCE,
		ClientURI:               r.ClientURI,
		Product:                 r.Product,
	}
	for _, l := range []struct {
		dst *[]string
		src string
	}{
		{&c.RedirectURIs, r.RedirectURIs},
		{&c.GrantTypes, r.GrantTypes},
		{&c.ResponseTypes, r.ResponseTypes},
		{&c.Scopes, r.Scopes},
		{&c.Audience, r.Audience},
		{&c.PostLogoutRedirectURIs, r.PostLogoutRedirectURIs},
	} {
		if err := json.Unmarshal([]byte(l.src), l.dst); err != nil {
			return nil, fmt.Errorf("client %s: decode list: %w", r.ID, err)
		}
	}
	if len(c.PostLogoutRedirectURIs) == 0 {
		c.PostLogoutRedirectURIs = nil // as registered: none
	}
	return c, nil
}

// CreateClient validates c, stores it with the SHA-256 of secret (which
// must be empty for a public client and at least MinSecretLength long
// otherwise) and fills in its defaults, SecretHash and CreatedAt. An
// existing ID gives an error satisfying errors.Is(err, db.ErrAlreadyExists),
// an invalid client one satisfying errors.Is(err, ErrInvalidClient).
func (s *Store) CreateClient(ctx context.Context, c *Client, secret string) error {
	if err := normalizeClient(c, secret); err != nil {
		return fmt.Errorf("sqlstore: create client %q: %w", c.ID, err)
	}
	if !c.Public {
		c.SecretHash = hashSecret(secret)
	}
	c.CreatedAt = s.now()
	n, err := s.exec(ctx, `INSERT INTO oauth_clients (`+clientColumns+`)
		VALUES (`+placeholders(len(clientColumnNames))+`) ON CONFLICT (id) DO NOTHING`,
		c.ID, c.Name, c.SecretHash, jsonList(c.RedirectURIs), jsonList(c.GrantTypes), jsonList(c.ResponseTypes),
		jsonList(c.Scopes), jsonList(c.Audience), c.Public, c.IsFirstParty, c.TokenEndpointAuthMethod,
		c.IDTokenSigningAlg, c.CreatedAt,
		c.BackchannelLogoutURI, c.EventsURI, !c.PKCEOptional, jsonList(c.PostLogoutRedirectURIs), c.ClientURI, c.Product)
	if err == nil && n == 0 {
		err = db.ErrAlreadyExists
	}
	if err != nil {
		return fail(fmt.Sprintf("create client %q", c.ID), err)
	}
	return nil
}

// GetClient loads a client; its dynamic type is *Client. An unknown ID
// gives an error satisfying errors.Is for fosite.ErrNotFound and
// db.ErrNotFound.
func (s *Store) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := s.getClient(ctx, id)
	if err != nil {
		return nil, fail(fmt.Sprintf("get client %q", id), err)
	}
	return c, nil
}

func (s *Store) getClient(ctx context.Context, id string) (*Client, error) {
	var row clientRow
	if err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+clientColumns+` FROM oauth_clients WHERE id = ?`), id); err != nil {
		return nil, err
	}
	return row.client()
}

// ListClients returns every client, by ID.
func (s *Store) ListClients(ctx context.Context) ([]*Client, error) {
	var rows []clientRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+clientColumns+` FROM oauth_clients ORDER BY id`); err != nil {
		return nil, fail("list clients", err)
	}
	clients := make([]*Client, 0, len(rows))
	for _, r := range rows {
		c, err := r.client()
		if err != nil {
			return nil, fail("list clients", err)
		}
		clients = append(clients, c)
	}
	return clients, nil
}

// ProductLink is a product people may be sent to from their account page.
type ProductLink struct {
	ClientID string `db:"id"`
	Name     string `db:"name"`
	URI      string `db:"client_uri"`
	Product  string `db:"product"`
}

// ProductLinks returns the clients registered with a home page and a
// product, by product then name.
func (s *Store) ProductLinks(ctx context.Context) ([]ProductLink, error) {
	var links []ProductLink
	if err := s.db.SelectContext(ctx, &links, `SELECT id, name, client_uri, product FROM oauth_clients
		WHERE client_uri <> '' AND product <> '' ORDER BY product, name, id`); err != nil {
		return nil, fail("list product links", err)
	}
	return links, nil
}

// DeleteClient removes a client together with every code, token and
// session issued to it. An unknown ID gives an error satisfying
// errors.Is(err, db.ErrNotFound).
//
// The deletion is announced on RevocationChannel: instances that accept the
// client's tokens without reading the database stop at once.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// The request tables reference the client ON DELETE CASCADE.
		n, err := s.exec(ctx, `DELETE FROM oauth_clients WHERE id = ?`, id)
		if err == nil && n == 0 {
			err = errNotFound
		}
		if err != nil {
			return err
		}
		return s.announce(ctx, []Revocation{{Kind: RevokedClient, ClientID: id}})
	})
	return fail(fmt.Sprintf("delete client %q", id), err)
}

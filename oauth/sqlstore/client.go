package sqlstore

import (
	"slices"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
)

// Token endpoint authentication methods a client may use (OpenID Connect
// Dynamic Client Registration, token_endpoint_auth_method). fosite accepts
// exactly the one method a client names: a confidential client sending its
// secret in the form must name AuthClientSecretPost, in the Authorization
// header AuthClientSecretBasic.
const (
	AuthNone              = "none"
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
)

// Signing algorithms of ID tokens.
const (
	AlgES256 = "ES256"
	AlgRS256 = "RS256"
)

// Client is an OAuth 2.0 client: a product (relying party) or a script.
// It is what GetClient returns to fosite.
type Client struct {
	ID   string
	Name string
	// SecretHash is the hex SHA-256 of the client secret (see
	// SHA256Hasher); empty for a public client.
	SecretHash    string
	RedirectURIs  []string
	GrantTypes    []string
	ResponseTypes []string
	Scopes        []string
	Audience      []string
	// Public clients (browser or native apps) hold no secret and must use
	// PKCE.
	Public bool
	// IsFirstParty marks Sésame's own products, which skip the consent
	// screen.
	IsFirstParty bool
	// TokenEndpointAuthMethod is one of the Auth* constants; empty means
	// AuthNone for a public client, AuthClientSecretBasic otherwise.
	TokenEndpointAuthMethod string
	// IDTokenSigningAlg is AlgES256 or AlgRS256; empty means AlgES256.
	IDTokenSigningAlg string
	// BackchannelLogoutURI receives back-channel logout tokens (OpenID
	// Connect Back-Channel Logout 1.0); empty: the client is not told.
	BackchannelLogoutURI string
	// EventsURI receives security event tokens (RFC 8417, pushed as in
	// RFC 8935) when a person's rights change; empty: not told.
	EventsURI string
	// PKCEOptional lets a confidential client use the authorization code
	// flow without PKCE, relying on nonce (RFC 9700 §2.1.1). A challenge it
	// does send is still enforced. Never true for a public client.
	PKCEOptional bool
	// PostLogoutRedirectURIs are the exact URIs RP-initiated logout may
	// send the browser back to.
	PostLogoutRedirectURIs []string
	// ClientURI is the product's home page (RFC 7591 client_uri), linked
	// from people's account page; empty: no link.
	ClientURI string
	// Product is the product whose rights the client serves, the first
	// part of its rights ("server" for server:read); empty: none.
	Product   string
	CreatedAt time.Time
}

var (
	_ fosite.Client              = (*Client)(nil)
	_ fosite.OpenIDConnectClient = (*Client)(nil)
	_ fosite.ResponseModeClient  = (*Client)(nil)
)

// FirstParty reports whether the client is one of Sésame's own products,
// which skip the consent screen.
func (c *Client) FirstParty() bool { return c.IsFirstParty }

// IDTokenAlg returns the algorithm the client's ID tokens are signed with.
func (c *Client) IDTokenAlg() string {
	if c.IDTokenSigningAlg == "" {
		return AlgES256
	}
	return c.IDTokenSigningAlg
}

// PKCERequired reports whether the client must send a PKCE challenge.
func (c *Client) PKCERequired() bool { return c.Public || !c.PKCEOptional }

// PostLogoutRedirectURIAllowed reports whether uri is exactly one of the
// client's registered post-logout redirect URIs.
func (c *Client) PostLogoutRedirectURIAllowed(uri string) bool {
	return uri != "" && slices.Contains(c.PostLogoutRedirectURIs, uri)
}

// GetResponseModes returns the one response mode Sésame answers in.
func (c *Client) GetResponseModes() []fosite.ResponseModeType {
	return []fosite.ResponseModeType{fosite.ResponseModeQuery}
}

// GetID returns the client ID.
func (c *Client) GetID() string { return c.ID }

// GetHashedSecret returns the stored hash of the secret, for
// SHA256Hasher.Compare.
func (c *Client) GetHashedSecret() []byte { return []byte(c.SecretHash) }

// GetRedirectURIs returns the redirect URIs, matched exactly by fosite.
func (c *Client) GetRedirectURIs() []string { return c.RedirectURIs }

// GetGrantTypes returns the grant types the client may use.
func (c *Client) GetGrantTypes() fosite.Arguments { return c.GrantTypes }

// GetResponseTypes returns the response types the client may request.
func (c *Client) GetResponseTypes() fosite.Arguments { return c.ResponseTypes }

// GetScopes returns the scopes the client may request.
func (c *Client) GetScopes() fosite.Arguments { return c.Scopes }

// IsPublic reports whether the client holds no secret.
func (c *Client) IsPublic() bool { return c.Public }

// GetAudience returns the audiences the client may request: those
// registered, and always the client itself, so that the tokens of its own
// sign-ins are addressed to it (aud = client ID) and survive a refresh,
// where fosite checks the granted audience again.
func (c *Client) GetAudience() fosite.Arguments {
	if slices.Contains(c.Audience, c.ID) {
		return c.Audience
	}
	return append(slices.Clip(c.Audience), c.ID)
}

// GetTokenEndpointAuthMethod returns how the client authenticates at the
// token endpoint.
func (c *Client) GetTokenEndpointAuthMethod() string {
	switch {
	case c.TokenEndpointAuthMethod != "":
		return c.TokenEndpointAuthMethod
	case c.Public:
		return AuthNone
	}
	return AuthClientSecretBasic
}

// GetRequestURIs returns no request_uri: request objects are not supported.
func (c *Client) GetRequestURIs() []string { return nil }

// GetJSONWebKeys returns nil: clients authenticate with a secret, and with
// no keys fosite refuses request objects.
func (c *Client) GetJSONWebKeys() *jose.JSONWebKeySet { return nil }

// GetJSONWebKeysURI returns "": clients register no key set.
func (c *Client) GetJSONWebKeysURI() string { return "" }

// GetRequestObjectSigningAlgorithm returns "": request objects are refused
// for want of client keys.
func (c *Client) GetRequestObjectSigningAlgorithm() string { return "" }

// GetTokenEndpointAuthSigningAlgorithm returns "": private_key_jwt is not
// offered.
func (c *Client) GetTokenEndpointAuthSigningAlgorithm() string { return "" }

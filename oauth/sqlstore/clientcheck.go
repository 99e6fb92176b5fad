package sqlstore

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/sesame-idp/sesame/rights"
)

// Grant types Sésame serves: no implicit, no password grant.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

// normalizeClient checks c and secret and fills in the defaults: grant
// types authorization_code and refresh_token, response type code for a
// client of the code flow, the authentication method and the ID token
// algorithm.
func normalizeClient(c *Client, secret string) error {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidClient, fmt.Sprintf(format, args...))
	}
	if !clientIDPattern.MatchString(c.ID) {
		return invalid("the ID must be 1 to 128 letters, digits or . _ : - and start with a letter or digit")
	}
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return invalid("the name is empty")
	}

	if c.Public {
		if secret != "" {
			return invalid("a public client has no secret")
		}
		if c.PKCEOptional {
			return invalid("a public client must use PKCE")
		}
	} else if len(secret) < MinSecretLength {
		return invalid("the secret of a confidential client must be at least %d characters", MinSecretLength)
	}
	switch m := c.TokenEndpointAuthMethod; {
	case m == "" && c.Public:
		c.TokenEndpointAuthMethod = AuthNone
	case m == "":
		c.TokenEndpointAuthMethod = AuthClientSecretBasic
	case c.Public && m != AuthNone:
		return invalid("a public client authenticates with %q, not %q", AuthNone, m)
	case !c.Public && m != AuthClientSecretBasic && m != AuthClientSecretPost:
		return invalid("unsupported token endpoint authentication method %q", m)
	}
	switch c.IDTokenSigningAlg {
	case "":
		c.IDTokenSigningAlg = AlgES256
	case AlgES256, AlgRS256:
	default:
		return invalid("unsupported ID token algorithm %q (want %s or %s)", c.IDTokenSigningAlg, AlgES256, AlgRS256)
	}

	if len(c.GrantTypes) == 0 {
		c.GrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	for _, g := range c.GrantTypes {
		switch g {
		case GrantAuthorizationCode, GrantRefreshToken:
		case GrantClientCredentials:
			if c.Public {
				return invalid("a public client cannot use the client_credentials grant")
			}
		default:
			return invalid("unsupported grant type %q", g)
		}
	}
	codeFlow := slices.Contains(c.GrantTypes, GrantAuthorizationCode)
	if len(c.ResponseTypes) == 0 && codeFlow {
		c.ResponseTypes = []string{"code"}
	}
	for _, rt := range c.ResponseTypes {
		if rt != "code" {
			return invalid("unsupported response type %q", rt)
		}
	}
	if codeFlow && len(c.RedirectURIs) == 0 {
		return invalid("a client of the authorization code grant needs a redirect URI")
	}
	for _, u := range c.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return invalid("redirect URI %q: %v", u, err)
		}
	}
	for name, u := range map[string]string{"back-channel logout URI": c.BackchannelLogoutURI, "events URI": c.EventsURI, "client URI": c.ClientURI} {
		if err := CheckPushURI(u); u != "" && err != nil {
			return invalid("%s %q: %v", name, u, err)
		}
	}
	if c.Product != "" {
		if err := rights.CheckProduct(c.Product); err != nil {
			return invalid("%v", err)
		}
	}
	for _, u := range c.PostLogoutRedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return invalid("post-logout redirect URI %q: %v", u, err)
		}
	}
	for _, list := range []struct {
		name   string
		values []string
	}{{"scope", c.Scopes}, {"audience", c.Audience}} {
		for _, v := range list.values {
			if v == "" || strings.ContainsAny(v, " \t\r\n") {
				return invalid("%s %q is empty or contains white space", list.name, v)
			}
		}
	}
	return nil
}

// checkRedirectURI accepts absolute URIs without a fragment (RFC 6749
// §3.1.2), including the private-use schemes of native apps.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case !u.IsAbs():
		return fmt.Errorf("not absolute")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("has a fragment")
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host == "":
		return fmt.Errorf("has no host")
	}
	return nil
}

// CheckPushURI checks a URI Sésame posts events to (back-channel logout,
// security events), or links people to (a client's home page): absolute, https (or http to this machine, for
// development), with a host and no fragment.
func CheckPushURI(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case !u.IsAbs() || u.Host == "":
		return fmt.Errorf("not an absolute URI")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("has a fragment")
	case u.User != nil:
		return fmt.Errorf("has user information")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http":
		switch u.Hostname() {
		case "localhost", "127.0.0.1", "::1":
			return nil
		}
		return fmt.Errorf("http is allowed only for localhost, 127.0.0.1 and ::1")
	}
	return fmt.Errorf("the scheme must be https")
}

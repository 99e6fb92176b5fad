package oauth

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"
)

// Paths of the provider's endpoints, relative to the issuer.
const (
	PathAuthorize  = "/oauth2/auth"
	PathToken      = "/oauth2/token"
	PathIntrospect = "/oauth2/introspect"
	PathRevoke     = "/oauth2/revoke"
	PathUserinfo   = "/oauth2/userinfo"
	PathLogout     = "/oauth2/logout"
	PathDiscovery  = "/.well-known/openid-configuration"
	PathJWKS       = "/.well-known/jwks.json"
)

// Mount adds the endpoints that need no page to r.
func (p *Provider) Mount(r gin.IRouter) {
	r.POST(PathToken, p.token)
	r.POST(PathIntrospect, p.introspect)
	r.POST(PathRevoke, p.revoke)
	r.GET(PathUserinfo, p.userinfo)
	r.POST(PathUserinfo, p.userinfo)
	r.GET(PathDiscovery, p.discovery)
	r.GET(PathJWKS, p.jwks)
}

// token serves the token endpoint. Before tokens are issued for a person
// (code exchange or refresh) it reloads the person and their rights, so a
// disabled login account gets no new token and a refreshed token carries
// the rights of now, not of the sign-in.
func (p *Provider) token(c *gin.Context) {
	ctx := c.Request.Context()
	w := c.Writer
	ar, err := p.OAuth2.NewAccessRequest(ctx, c.Request, NewSession())
	if err != nil {
		if !p.unavailable(c, "token", err) {
			p.OAuth2.WriteAccessError(ctx, w, ar, err)
		}
		return
	}
	sess := ar.GetSession().(*Session)
	client := ar.GetClient()
	if ar.GetGrantTypes().ExactOne("client_credentials") {
		for _, s := range ar.GetRequestedScopes() {
			ar.GrantScope(s)
		}
		for _, a := range ar.GetRequestedAudience() {
			ar.GrantAudience(a)
		}
		sess.Subject = client.GetID()
	} else {
		person, err := p.people.Person(ctx, sess.Subject)
		if p.unavailable(c, "token", err) {
			return
		}
		if err != nil {
			if !errors.Is(err, ErrInactive) {
				p.log.WarnContext(ctx, "token: person lookup failed", "sub", sess.Subject, "err", err)
			}
			p.OAuth2.WriteAccessError(ctx, w, ar, fosite.ErrInvalidGrant.WithHint("The person of this grant can no longer sign in."))
			return
		}
		sess.Scopes = ar.GetGrantedScopes()
		if err := p.fill(ctx, sess, person); err != nil {
			if !p.unavailable(c, "token", err) {
				p.log.ErrorContext(ctx, "token: rights", "sub", sess.Subject, "err", err)
				p.OAuth2.WriteAccessError(ctx, w, ar, fosite.ErrServerError.WithWrap(err))
			}
			return
		}
	}
	sess.ClientID = client.GetID()
	ctx = WithSigningAlg(ctx, clientAlg(client))
	resp, err := p.OAuth2.NewAccessResponse(ctx, ar)
	if errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) || errors.Is(err, fosite.ErrSerializationFailure) {
		// Lost a race to redeem the same code (or rotate the same refresh
		// token): the grant is no longer valid for this caller.
		err = fosite.ErrInvalidGrant.WithHint("The authorization code or refresh token was already used.")
	}
	if err != nil {
		if !p.unavailable(c, "token", err) {
			p.OAuth2.WriteAccessError(ctx, w, ar, err)
		}
		return
	}
	p.OAuth2.WriteAccessResponse(ctx, w, ar, resp)
	if p.cfg.OnToken != nil {
		p.cfg.OnToken(grantType(ar.GetGrantTypes()), client.GetID())
	}
}

// grantType names the grant of a token request for metrics: one of the
// grants Sésame serves, never a value the caller made up.
func grantType(g fosite.Arguments) string {
	for _, t := range []string{"authorization_code", "refresh_token", "client_credentials"} {
		if g.ExactOne(t) {
			return t
		}
	}
	return "other"
}

func (p *Provider) introspect(c *gin.Context) {
	ctx := c.Request.Context()
	if err := p.introspectionAuth(ctx, c.Request); err != nil {
		if !p.unavailable(c, "introspection", err) {
			p.OAuth2.WriteIntrospectionError(ctx, c.Writer, err)
		}
		return
	}
	ir, err := p.OAuth2.NewIntrospectionRequest(ctx, c.Request, NewSession())
	if err != nil {
		// fosite answers "inactive" for any error but an unauthorized
		// caller: not when the token could not be read.
		if !p.unavailable(c, "introspection", err) {
			p.OAuth2.WriteIntrospectionError(ctx, c.Writer, err)
		}
		return
	}
	p.OAuth2.WriteIntrospectionResponse(ctx, c.Writer, p.forCaller(ctx, c.Request, ir))
}

func (p *Provider) revoke(c *gin.Context) {
	ctx := c.Request.Context()
	err := p.OAuth2.NewRevocationRequest(ctx, c.Request)
	// fosite answers 200, revoked, for any error but a bad request or
	// client: not when the revocation could not be stored.
	if !p.unavailable(c, "revocation", err) {
		p.OAuth2.WriteRevocationResponse(ctx, c.Writer, err)
	}
}

// userinfo answers with the claims of the person behind a valid access
// token holding the openid scope, rights as of now.
func (p *Provider) userinfo(c *gin.Context) {
	ctx := c.Request.Context()
	token := fosite.AccessTokenFromRequest(c.Request)
	unauthorized := func(desc string) {
		c.Header("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+desc+`"`)
		c.JSON(http.StatusUnauthorized, gin.H{"error": "invalid_token", "error_description": desc})
	}
	if token == "" {
		unauthorized("An access token is required.")
		return
	}
	_, ar, err := p.OAuth2.IntrospectToken(ctx, token, fosite.AccessToken, NewSession())
	if p.unavailable(c, "userinfo", err) {
		return
	}
	if err != nil {
		unauthorized("The access token is invalid, expired or revoked.")
		return
	}
	if !ar.GetGrantedScopes().Has(ScopeOpenID) {
		c.Header("WWW-Authenticate", `Bearer error="insufficient_scope", scope="openid"`)
		c.JSON(http.StatusForbidden, gin.H{"error": "insufficient_scope", "error_description": "The access token lacks the openid scope."})
		return
	}
	sess := ar.GetSession().(*Session)
	person, err := p.people.Person(ctx, sess.Subject)
	if p.unavailable(c, "userinfo", err) {
		return
	}
	if err != nil {
		unauthorized("The person of this token can no longer sign in.")
		return
	}
	sess.Scopes = ar.GetGrantedScopes()
	if err := p.fill(ctx, sess, person); err != nil {
		if p.unavailable(c, "userinfo", err) {
			return
		}
		p.log.ErrorContext(ctx, "userinfo: rights", "err", err)
		c.JSON(http.StatusInternalServerError, gin.H{"error": "server_error"})
		return
	}
	claims := sess.personClaims()
	claims["sub"] = sess.Subject
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, claims)
}

func (p *Provider) discovery(c *gin.Context) {
	iss := p.cfg.Issuer
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, gin.H{
		"issuer":                                        iss,
		"authorization_endpoint":                        iss + PathAuthorize,
		"token_endpoint":                                iss + PathToken,
		"userinfo_endpoint":                             iss + PathUserinfo,
		"jwks_uri":                                      iss + PathJWKS,
		"end_session_endpoint":                          iss + PathLogout,
		"introspection_endpoint":                        iss + PathIntrospect,
		"revocation_endpoint":                           iss + PathRevoke,
		"scopes_supported":                              []string{ScopeOpenID, ScopeProfile, ScopeEmail, ScopeOfflineAccess, ScopeMembers, ScopeAuthz},
		"response_types_supported":                      []string{"code"},
		"response_modes_supported":                      []string{"query"},
		"grant_types_supported":                         []string{"authorization_code", "refresh_token", "client_credentials"},
		"subject_types_supported":                       []string{"public"},
		"id_token_signing_alg_values_supported":         []string{ES256, RS256},
		"token_endpoint_auth_methods_supported":         []string{"client_secret_basic", "client_secret_post", "none"},
		"introspection_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported":    []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":              []string{"S256"},
		"backchannel_logout_supported":                  true,
		"backchannel_logout_session_supported":          true,
		"prompt_values_supported":                       []string{"none", "login", "consent"},
		"acr_values_supported":                          []string{ACRMFA},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce",
			"email", "email_verified", "name", "account_id", "rights", "sid", "amr", "acr"},
		"ui_locales_supported": []string{"fr", "en"},
		// Request objects are not supported (OIDC Core §6): the request
		// and request_uri parameters get request_not_supported and
		// request_uri_not_supported.
		"request_parameter_supported":     false,
		"request_uri_parameter_supported": false,
		"claims_parameter_supported":      false,
		// Every authorization response carries iss (RFC 9207).
		"authorization_response_iss_parameter_supported": true,
	})
}

func (p *Provider) jwks(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, p.Keys.JWKS())
}

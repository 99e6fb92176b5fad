package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// introspectionAuth lets a client authenticate at the introspection
// endpoint with exactly its registered method, as at the token endpoint.
// fosite reads HTTP Basic credentials (or a bearer token) only: the form
// credentials of a client_secret_post client are handed to it as Basic
// ones, and a client using the method it did not register is refused.
func (p *Provider) introspectionAuth(ctx context.Context, r *http.Request) error {
	if r.Header.Get("Authorization") != "" && fosite.AccessTokenFromRequest(r) != "" {
		return nil // a bearer token is the credential
	}
	if err := r.ParseForm(); err != nil {
		return fosite.ErrInvalidRequest.WithHint("The request body is not a form.")
	}
	id, secret, basic := r.BasicAuth()
	formSecret := r.PostForm.Get("client_secret")
	want := sqlstore.AuthClientSecretBasic
	switch {
	case basic && formSecret != "":
		return fosite.ErrInvalidRequest.WithHint("Use one client authentication method, not two.")
	case basic:
		if id, _ = url.QueryUnescape(id); secret == "" {
			return nil // fosite refuses it
		}
	case formSecret != "":
		id, want = r.PostForm.Get("client_id"), sqlstore.AuthClientSecretPost
	default:
		return nil // fosite refuses it
	}
	client, err := p.Store.GetClient(ctx, id)
	if errors.Is(err, fosite.ErrNotFound) {
		return nil // fosite refuses it, as for a wrong secret
	}
	if err != nil {
		return err
	}
	if oc, ok := client.(fosite.OpenIDConnectClient); ok && oc.GetTokenEndpointAuthMethod() != want {
		return fosite.ErrRequestUnauthorized.WithHintf("This client authenticates with %s.", oc.GetTokenEndpointAuthMethod())
	}
	if want == sqlstore.AuthClientSecretPost {
		r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(formSecret))
	}
	return nil
}

// forCaller hides from the caller of the introspection endpoint the tokens
// that are none of its business: a token is reported active only to the
// client it was issued to and to the clients of its audience. Any other
// client learns {"active":false}, as for an unknown token, and not the
// person's claims. fosite has already authenticated the caller (HTTP basic
// or a bearer access token) when ir is active.
func (p *Provider) forCaller(ctx context.Context, r *http.Request, ir fosite.IntrospectionResponder) fosite.IntrospectionResponder {
	inactive := &fosite.IntrospectionResponse{Active: false}
	if !ir.IsActive() || ir.GetAccessRequester() == nil || ir.GetAccessRequester().GetClient() == nil {
		return inactive
	}
	caller := p.introspectionCaller(ctx, r)
	ar := ir.GetAccessRequester()
	if caller == "" || (caller != ar.GetClient().GetID() && !slices.Contains(ar.GetGrantedAudience(), caller)) {
		return inactive
	}
	return ir
}

// introspectionCaller is the client ID of the caller fosite authenticated:
// the user of HTTP basic credentials, or the client a bearer access token
// was issued to; "" when it cannot be told.
func (p *Provider) introspectionCaller(ctx context.Context, r *http.Request) string {
	if bearer := fosite.AccessTokenFromRequest(r); bearer != "" {
		_, ar, err := p.OAuth2.IntrospectToken(ctx, bearer, fosite.AccessToken, NewSession())
		if err != nil || ar.GetClient() == nil {
			return ""
		}
		return ar.GetClient().GetID()
	}
	id, _, ok := r.BasicAuth()
	if !ok {
		return ""
	}
	id, err := url.QueryUnescape(id)
	if err != nil {
		return ""
	}
	return id
}

package oauth

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/ory/fosite"
)

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

package oauth

import (
	"context"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/pkce"
)

// PKCE in Sésame:
//   - a client that must use PKCE (every public client, and a confidential
//     one unless registered with --require-pkce=false) is refused a code
//     without a challenge, and a token without a verifier;
//   - a challenge that was sent is always enforced, whatever the client.
//
// fosite deletes a code's challenge at the first redemption attempt, even
// when that attempt fails (a wrong verifier): a second attempt without any
// verifier would then find no challenge and pass. The challenge is kept
// instead until the code itself is removed (expiry, revocation).

// pkceClient is a client that says whether it must use PKCE.
type pkceClient interface {
	PKCERequired() bool
}

func pkceRequired(c fosite.Client) bool {
	if c == nil {
		return true
	}
	if pc, ok := c.(pkceClient); ok {
		return pc.PKCERequired()
	}
	return true
}

// keptChallenges is the PKCE storage of fosite's PKCE handler, minus the
// deletion.
type keptChallenges struct {
	pkce.PKCERequestStorage
}

// DeletePKCERequestSession keeps the challenge: it lives and dies with its
// code.
func (keptChallenges) DeletePKCERequestSession(context.Context, string) error { return nil }

// pkceFactory composes fosite's PKCE handler over keptChallenges.
func pkceFactory(config fosite.Configurator, storage, strategy any) any {
	return &pkce.Handler{
		AuthorizeCodeStrategy: strategy.(oauth2.AuthorizeCodeStrategy),
		Storage:               keptChallenges{storage.(pkce.PKCERequestStorage)},
		Config:                config,
	}
}

// requirePKCE refuses, for a client that must use PKCE, an authorization
// request without code_challenge and a code exchange without
// code_verifier.
type requirePKCE struct{}

var (
	_ fosite.AuthorizeEndpointHandler = requirePKCE{}
	_ fosite.TokenEndpointHandler     = requirePKCE{}
)

func requirePKCEFactory(fosite.Configurator, any, any) any { return requirePKCE{} }

// CheckPKCE returns the error that the PKCE handlers will give ar at the
// end of the authorization request, so that it can be told before the
// person signs in or consents: no challenge from a client that must send
// one, or a challenge method other than S256.
func CheckPKCE(ctx context.Context, ar fosite.AuthorizeRequester) error {
	if err := (requirePKCE{}).HandleAuthorizeEndpointRequest(ctx, ar, nil); err != nil {
		return err
	}
	form := ar.GetRequestForm()
	if ar.GetResponseTypes().Has("code") && form.Get("code_challenge") != "" && form.Get("code_challenge_method") != "S256" {
		return fosite.ErrInvalidRequest.WithHint("Clients must use code_challenge_method=S256.")
	}
	return nil
}

// HandleAuthorizeEndpointRequest refuses a code request without a challenge.
func (requirePKCE) HandleAuthorizeEndpointRequest(_ context.Context, ar fosite.AuthorizeRequester, _ fosite.AuthorizeResponder) error {
	if !ar.GetResponseTypes().Has("code") || !pkceRequired(ar.GetClient()) {
		return nil
	}
	if ar.GetRequestForm().Get("code_challenge") == "" {
		return fosite.ErrInvalidRequest.WithHint("This client must include a code_challenge (PKCE, S256).")
	}
	return nil
}

// HandleTokenEndpointRequest refuses a code exchange without a verifier.
func (requirePKCE) HandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) error {
	if pkceRequired(r.GetClient()) && r.GetRequestForm().Get("code_verifier") == "" {
		return fosite.ErrInvalidGrant.WithHint("This client must send the PKCE code_verifier.")
	}
	return nil
}

// PopulateTokenEndpointResponse adds nothing.
func (requirePKCE) PopulateTokenEndpointResponse(context.Context, fosite.AccessRequester, fosite.AccessResponder) error {
	return nil
}

// CanSkipClientAuth is false: this handler never authenticates anybody.
func (requirePKCE) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool { return false }

// CanHandleTokenEndpointRequest is true for code exchanges.
func (requirePKCE) CanHandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) bool {
	return r.GetGrantTypes().ExactOne("authorization_code")
}

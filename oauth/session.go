package oauth

import (
	"slices"
	"time"

	"github.com/mohae/deepcopy"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"
)

// Session is what fosite stores with every code and token: who signed in,
// in which account, with which rights. It serves both the ID token
// (openid.Session) and the JWT access token (oauth2.JWTSessionContainer),
// whose claims are built fresh for each token rather than stored.
type Session struct {
	*openid.DefaultSession `json:"oidc"`

	AccountID     string   `json:"account_id,omitempty"`
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified,omitempty"`
	Name          string   `json:"name,omitempty"`
	Rights        []string `json:"rights,omitempty"`
	ClientID      string   `json:"client_id,omitempty"`
	// SID is the public id of the Sésame browser session the grant came
	// from (authorization code flow only); ID tokens and access tokens
	// carry it as "sid", and back-channel logout tokens name it.
	SID string `json:"sid,omitempty"`
	// Scopes are the granted scopes, which decide the standard claims
	// (OIDC Core §5.4).
	Scopes []string `json:"scopes,omitempty"`
	// ReleaseRights says whether the client may see the person's rights:
	// a first-party client, or one whose consent page listed them.
	ReleaseRights bool `json:"release_rights,omitempty"`
}

var (
	_ openid.Session             = (*Session)(nil)
	_ oauth2.JWTSessionContainer = (*Session)(nil)
	_ fosite.ExtraClaimsSession  = (*Session)(nil)
)

// NewSession returns an empty session, the prototype fosite fills from
// storage.
func NewSession() *Session {
	return &Session{DefaultSession: &openid.DefaultSession{
		Claims:  &jwt.IDTokenClaims{},
		Headers: &jwt.Headers{},
	}}
}

// personClaims are the claims of DESIGN.md §3 that ID token, access token
// and userinfo share: account_id always, the standard claims by scope
// (OIDC Core §5.4), rights when they may be released. A claim without a
// value is left out.
func (s *Session) personClaims() map[string]any {
	claims := map[string]any{}
	if s.AccountID == "" { // a client acting for itself (client credentials)
		return claims
	}
	claims["account_id"] = s.AccountID
	if slices.Contains(s.Scopes, ScopeProfile) && s.Name != "" {
		claims["name"] = s.Name
	}
	if slices.Contains(s.Scopes, ScopeEmail) && s.Email != "" {
		claims["email"] = s.Email
		claims["email_verified"] = s.EmailVerified
	}
	if s.ReleaseRights && len(s.Rights) > 0 {
		claims["rights"] = s.Rights
	}
	return claims
}

// Release records what the client was granted: the scopes and whether it
// may see the person's rights; the claims follow.
func (s *Session) Release(scopes []string, rights bool) {
	s.Scopes = slices.Clone(scopes)
	s.ReleaseRights = rights
	s.refreshIDClaims()
}

// refreshIDClaims writes the person's current claims into the ID token
// claims and clears the per-token fields, so that each ID token gets its own
// expiry and issue time.
func (s *Session) refreshIDClaims() {
	c := s.Claims
	c.Subject = s.Subject
	c.Extra = s.personClaims()
	if s.SID != "" {
		c.Extra["sid"] = s.SID
	}
	c.ExpiresAt = time.Time{}
	c.IssuedAt = time.Time{}
	c.JTI = ""
}

// SetSID ties the session to the browser session sid: its tokens carry
// the claim "sid".
func (s *Session) SetSID(sid string) {
	s.SID = sid
	s.refreshIDClaims()
}

// GetJWTClaims returns the claims of a JWT access token (RFC 9068).
func (s *Session) GetJWTClaims() jwt.JWTClaimsContainer {
	extra := s.personClaims()
	extra["client_id"] = s.ClientID
	if s.SID != "" {
		extra["sid"] = s.SID
	}
	return &jwt.JWTClaims{
		Subject: s.Subject,
		Extra:   extra,
	}
}

// GetJWTHeader marks access tokens with typ "at+jwt" so that an ID token
// (typ "JWT") can never pass for one.
func (s *Session) GetJWTHeader() *jwt.Headers {
	return &jwt.Headers{Extra: map[string]any{"typ": "at+jwt"}}
}

// GetExtraClaims adds the person's claims to introspection responses.
func (s *Session) GetExtraClaims() map[string]any {
	return s.personClaims()
}

// Clone returns a deep copy.
func (s *Session) Clone() fosite.Session {
	if s == nil {
		return nil
	}
	return deepcopy.Copy(s).(fosite.Session)
}

// ACRMFA is the authentication context class (OIDC Core §2, "acr") of a
// sign-in that passed a second factor. A client asks for one by naming it
// in acr_values; a password alone carries no acr.
const ACRMFA = "urn:sesame:mfa"

// SetAuthMethods records how the person signed in: amr (RFC 8176 values)
// and, when a second factor was passed, acr ACRMFA. ID tokens carry both.
func (s *Session) SetAuthMethods(amr []string, mfa bool) {
	s.Claims.AuthenticationMethodsReferences = slices.Clone(amr)
	s.Claims.AuthenticationContextClassReference = ""
	if mfa {
		s.Claims.AuthenticationContextClassReference = ACRMFA
	}
}

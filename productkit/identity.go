package productkit

import (
	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/rights"
)

// Identity is the signed-in person as Sésame describes them: one person in
// one account, with the rights they hold there.
type Identity struct {
	// Sub is the stable id of the person in that account.
	Sub string `json:"sub"`
	// AccountID is the customer account the person acts on, e.g. "id482913".
	// It is empty for a client acting for itself (client credentials).
	AccountID string `json:"account_id"`
	Email     string `json:"email,omitempty"`
	Name      string `json:"name,omitempty"`
	// Rights are strings "product:action" or "product:action:resource".
	Rights []string `json:"rights"`
}

// Right is a parsed right: Product and Action, and Resource when the right
// is narrowed to one resource (see package rights, whose grammar Sésame's
// check API follows too).
type Right = rights.Right

// ParseRight parses s ("domain:dns" or "domain:dns:Example.CM"), the
// resource in canonical form ("example.cm": lower case, no trailing dot,
// internationalized names in punycode). ok is false when s is malformed
// (see rights.Parse).
func ParseRight(s string) (r Right, ok bool) {
	r, err := rights.Parse(s)
	return r, err == nil
}

// Allows reports whether the identity may perform right on resource, from
// the rights it carries, by the same rule as Sésame's check API
// (rights.Allows). right is "product:action"; a right written
// "product:action:resource" names its resource itself, and a different
// resource argument is then denied. Held "domain:dns" covers "domain:dns"
// on any resource; held "domain:dns:example.cm" covers only resource
// "example.cm", in any case ("Example.CM", "example.cm.").
func (id Identity) Allows(right, resource string) bool {
	return rights.Allows(id.Rights, right, resource)
}

// AllowsAny reports whether the identity holds right on at least one
// resource, narrowed or not: enough to show a list that is then filtered
// item by item with Allows.
func (id Identity) AllowsAny(right string) bool {
	return rights.AllowsAny(id.Rights, right)
}

// Context keys under which the middlewares store what they learned.
const (
	identityKey    = "productkit.identity"
	accessTokenKey = "productkit.access_token"
	answerKey      = "productkit.answer"
)

// IdentityFrom returns the identity that WebAuth's middleware or the
// Guard stored in c, if any.
func IdentityFrom(c *gin.Context) (Identity, bool) {
	v, ok := c.Get(identityKey)
	if !ok {
		return Identity{}, false
	}
	id, ok := v.(Identity)
	return id, ok
}

// AccessTokenFrom returns the access token the Guard verified for c, if
// any.
func AccessTokenFrom(c *gin.Context) (*AccessToken, bool) {
	v, ok := c.Get(accessTokenKey)
	if !ok {
		return nil, false
	}
	at, ok := v.(*AccessToken)
	return at, ok
}

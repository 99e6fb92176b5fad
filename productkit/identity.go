package productkit

import (
	"strings"

	"github.com/gin-gonic/gin"
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
// is narrowed to one resource.
type Right struct {
	Product, Action, Resource string
}

// ParseRight splits s ("domain:dns" or "domain:dns:example.cm"). The
// resource may itself contain colons. ok is false when s has no product or
// no action, or ends with an empty resource.
func ParseRight(s string) (r Right, ok bool) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return Right{}, false
	}
	r = Right{Product: parts[0], Action: parts[1]}
	if len(parts) == 3 {
		if parts[2] == "" {
			return Right{}, false
		}
		r.Resource = parts[2]
	}
	return r, true
}

// String returns the right in its text form.
func (r Right) String() string {
	if r.Resource == "" {
		return r.Product + ":" + r.Action
	}
	return r.Product + ":" + r.Action + ":" + r.Resource
}

// covers reports whether the held right r allows the action of want on
// resource: same product and action, and r either not narrowed or narrowed
// to exactly that resource. A narrowed right never covers a request on no
// resource (an action on the whole product).
func (r Right) covers(want Right, resource string) bool {
	if r.Product != want.Product || r.Action != want.Action {
		return false
	}
	return r.Resource == "" || (resource != "" && r.Resource == resource)
}

// Allows reports whether the identity may perform right on resource, from
// the rights it carries. right is "product:action"; a right written
// "product:action:resource" names its resource itself and resource is then
// ignored. Held "domain:dns" covers "domain:dns" on any resource; held
// "domain:dns:example.cm" covers only resource "example.cm".
func (id Identity) Allows(right, resource string) bool {
	want, ok := ParseRight(right)
	if !ok {
		return false
	}
	if want.Resource != "" {
		resource = want.Resource
	}
	for _, h := range id.Rights {
		held, ok := ParseRight(h)
		if ok && held.covers(want, resource) {
			return true
		}
	}
	return false
}

// AllowsAny reports whether the identity holds right on at least one
// resource, narrowed or not: enough to show a list that is then filtered
// item by item with Allows.
func (id Identity) AllowsAny(right string) bool {
	want, ok := ParseRight(right)
	if !ok {
		return false
	}
	for _, h := range id.Rights {
		held, ok := ParseRight(h)
		if ok && held.Product == want.Product && held.Action == want.Action {
			return true
		}
	}
	return false
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

package productkit

import (
	"fmt"
	"log/slog"

	"github.com/gin-gonic/gin"
)

// RequireOption changes how Require decides.
type RequireOption func(*requirement)

type requirement struct {
	right       Right
	resource    func(*gin.Context) string
	anyResource bool
	live        *Checker
}

// ResourceParam takes the resource from the gin path parameter name, e.g.
// ResourceParam("domain") for a route "/domains/:domain".
func ResourceParam(name string) RequireOption {
	return func(r *requirement) { r.resource = func(c *gin.Context) string { return c.Param(name) } }
}

// ResourceFunc takes the resource from f.
func ResourceFunc(f func(*gin.Context) string) RequireOption {
	return func(r *requirement) { r.resource = f }
}

// AnyResource lets through whoever holds the right on at least one
// resource (narrowed or not); the handler then filters what it shows with
// Identity.Allows. It cannot be combined with Live.
func AnyResource() RequireOption {
	return func(r *requirement) { r.anyResource = true }
}

// Live decides through Sésame's check API (through ch, which caches
// decisions for a few seconds, never past a rights change Sésame pushed
// when it has the product's revocation store) instead of the rights
// carried by the token, so that a right removed a moment ago is refused at
// once. Use it for every destructive action.
func Live(ch *Checker) RequireOption {
	return func(r *requirement) { r.live = ch }
}

// Require returns a middleware that lets the request through only when the
// signed-in identity (set before by WebAuth's middleware or the Guard)
// holds right on the request's resource. right is "product:action", or
// "product:action:resource" for a fixed resource. Without an identity the
// request is answered 401 (JSON) or sent to sign in (browser); without the
// right, 403; when the check API cannot answer, 503.
//
// Require panics on a malformed right or on Live combined with
// AnyResource: both are programming errors found at start-up.
func Require(right string, opts ...RequireOption) gin.HandlerFunc {
	want, ok := ParseRight(right)
	if !ok {
		panic(fmt.Sprintf("productkit: Require(%q): a right is product:action[:resource]", right))
	}
	r := &requirement{right: want}
	for _, o := range opts {
		o(r)
	}
	if r.live != nil && r.anyResource {
		panic(fmt.Sprintf("productkit: Require(%q): Live and AnyResource exclude each other", right))
	}
	base := Right{Product: want.Product, Action: want.Action}.String()
	return func(c *gin.Context) {
		a := answerOf(c)
		id, ok := IdentityFrom(c)
		if !ok {
			a.unauthorized(c)
			return
		}
		resource := r.right.Resource
		if resource == "" && r.resource != nil {
			resource = r.resource(c)
		}
		var allowed bool
		switch {
		case r.live != nil:
			var err error
			allowed, err = r.live.Check(c.Request.Context(), id.Sub, id.AccountID, base, resource)
			if err != nil {
				slog.WarnContext(c.Request.Context(), "productkit: live check failed", "right", base, "err", err)
				a.unavailable(c)
				return
			}
		case r.anyResource:
			allowed = id.AllowsAny(base)
		default:
			allowed = id.Allows(base, resource)
		}
		if !allowed {
			a.forbidden(c, base, resource)
			return
		}
		c.Next()
	}
}

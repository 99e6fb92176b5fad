package rights

import (
	"fmt"
	"strings"
)

// MaxNameLen bounds the product and the action of a right.
const MaxNameLen = 64

// Right is a parsed right: Product and Action name a catalog entry,
// Resource is empty for the whole product or names one resource (a domain,
// a server) in canonical form.
type Right struct {
	Product  string
	Action   string
	Resource string
}

// Parse parses "product:action" or "product:action:resource". Product and
// action are lower-case letters, digits, '-' and '_'; the resource is
// normalized (see NormalizeResource). Parse checks the syntax only, not
// that the catalog has the right. Errors wrap ErrInvalidRight or
// ErrInvalidResource.
func Parse(s string) (Right, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 || !isName(parts[0]) || !isName(parts[1]) {
		return Right{}, fmt.Errorf("%w %q: want product:action or product:action:resource", ErrInvalidRight, clip(s))
	}
	r := Right{Product: parts[0], Action: parts[1]}
	if len(parts) == 3 {
		res, err := NormalizeResource(parts[2])
		if err != nil {
			return Right{}, fmt.Errorf("right %q: %w", clip(s), err)
		}
		r.Resource = res
	}
	return r, nil
}

// CheckProduct checks that s is a product name, as the first part of a
// right ("server" in "server:read"); the error wraps ErrInvalidRight.
func CheckProduct(s string) error {
	if !isName(s) {
		return fmt.Errorf("%w: product %q: want lower-case letters, digits, - and _", ErrInvalidRight, clip(s))
	}
	return nil
}

// isName reports whether s is a product or action name.
func isName(s string) bool {
	if s == "" || len(s) > MaxNameLen {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// String returns "product:action" or "product:action:resource".
func (r Right) String() string {
	if r.Resource == "" {
		return r.Key()
	}
	return r.Key() + ":" + r.Resource
}

// Key returns "product:action", the catalog entry of r.
func (r Right) Key() string { return r.Product + ":" + r.Action }

// Whole returns r without its resource: the right on the whole product.
func (r Right) Whole() Right { return Right{Product: r.Product, Action: r.Action} }

// Covers reports whether holding r allows want: same product and action,
// and r either on the whole product (it covers every resource, and the
// whole product) or narrowed to exactly want's resource. A narrowed right
// never covers want on the whole product.
func (r Right) Covers(want Right) bool {
	if r.Product != want.Product || r.Action != want.Action {
		return false
	}
	return r.Resource == "" || r.Resource == want.Resource
}

// Request builds the right a check asks for: right is "product:action",
// or "product:action:resource" naming its resource itself; resource, when
// not empty, is the resource acted on. A narrowed right and a resource
// naming another resource are an error wrapping ErrResourceMismatch.
func Request(right, resource string) (Right, error) {
	want, err := Parse(right)
	if err != nil {
		return Right{}, err
	}
	if resource == "" {
		return want, nil
	}
	res, err := NormalizeResource(resource)
	if err != nil {
		return Right{}, err
	}
	if want.Resource != "" && want.Resource != res {
		return Right{}, fmt.Errorf("%w: right %q names %q, request names %q", ErrResourceMismatch, clip(right), want.Resource, res)
	}
	want.Resource = res
	return want, nil
}

// Allows reports whether the rights held (strings as tokens carry them)
// allow right on resource, as Request reads them. A malformed request is
// denied; a malformed held right covers nothing. This is the rule of the
// check API (package rbac) and of productkit.Identity.Allows.
func Allows(held []string, right, resource string) bool {
	want, err := Request(right, resource)
	if err != nil {
		return false
	}
	for _, h := range held {
		r, err := Parse(h)
		if err == nil && r.Covers(want) {
			return true
		}
	}
	return false
}

// AllowsAny reports whether the rights held include right ("product:action";
// a resource in it is ignored) on at least one resource, narrowed or not.
func AllowsAny(held []string, right string) bool {
	want, err := Parse(right)
	if err != nil {
		return false
	}
	for _, h := range held {
		r, err := Parse(h)
		if err == nil && r.Key() == want.Key() {
			return true
		}
	}
	return false
}

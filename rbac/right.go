package rbac

import (
	"errors"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/rights"
)

// Sentinel errors; test them with errors.Is.
var (
	// ErrUnknownRight: the product:action is not in the catalog.
	ErrUnknownRight = errors.New("rbac: unknown right")
	// ErrInvalidRight: a right, resource, expiry or rule is malformed.
	// Errors from package rights are wrapped in it too.
	ErrInvalidRight = errors.New("rbac: invalid right")
	// ErrInvalidSubject: a member or account ID is empty, too long or
	// names a role.
	ErrInvalidSubject = errors.New("rbac: invalid subject")
	// ErrOwnerRule: a rule edit would add or remove a rule of the owner's
	// role. The owner's rights follow the ownership (SetOwner) only, so
	// that no policy edit can lock an account's owner out.
	ErrOwnerRule = errors.New("rbac: the owner's rules follow the ownership")
)

// Limits on identifiers, kept well under the index entry size of both
// engines.
const (
	maxResourceLen = rights.MaxResourceLen
	maxIDLen       = 128
)

// rolePrefix starts every role name, so that a role can never be mistaken
// for a member ID (which the account package generates).
const rolePrefix = "role:"

// ownerRole is the role of the owner of an account; the rule
// "p, role:owner, ACCOUNT, *, *," gives it every right of the account.
const ownerRole = rolePrefix + "owner"

// Right is a parsed right (see package rights).
type Right = rights.Right

// ParseRight parses "product:action" or "product:action:resource" (see
// rights.Parse: the resource is normalized) and checks it against the
// catalog. Errors wrap ErrUnknownRight (no such catalog entry) or
// ErrInvalidRight (bad syntax, or a resource on a right that cannot be
// narrowed).
func ParseRight(s string) (Right, error) {
	r, err := rights.Parse(s)
	if err != nil {
		return Right{}, refused(err, s)
	}
	if err := checkCatalog(r); err != nil {
		return Right{}, err
	}
	return r, nil
}

// checkCatalog checks that the catalog has r and, when r is narrowed, that
// its right can be narrowed to a resource.
func checkCatalog(r Right) error {
	entry, ok := catalogIndex[r.Key()]
	if !ok {
		return invalidf(ReasonUnknownRight, r.Key(), "%w %q", ErrUnknownRight, clip(r.Key()))
	}
	if r.Resource != "" && !entry.Narrowable {
		return invalidf(ReasonNotNarrowable, r.Key(), "%w %q: %s cannot be narrowed to a resource", ErrInvalidRight, clip(r.String()), r.Key())
	}
	return nil
}

// NormalizeGrants validates grants against the catalog and returns them in
// canonical form, without duplicates (see rights.NormalizeGrants); an
// expiry not after now is invalid. Errors wrap ErrUnknownRight or
// ErrInvalidRight. SetGrants applies it; callers may apply it first to
// check more (who may grant what).
func NormalizeGrants(grants []Grant, now time.Time) ([]Grant, error) {
	out, err := rights.NormalizeGrants(grants, now, checkCatalog)
	switch {
	case err == nil:
		return out, nil
	}
	// Name the refused right when one alone is wrong.
	for _, g := range grants {
		if _, perr := ParseRight(g.Right); perr != nil {
			return nil, perr
		}
	}
	return nil, refused(err, "")
}

// normalizeResource returns the canonical form of a resource (see
// rights.NormalizeResource); errors wrap ErrInvalidRight.
func normalizeResource(s string) (string, error) {
	res, err := rights.NormalizeResource(s)
	if err != nil {
		return "", refused(err, s)
	}
	return res, nil
}

// checkID validates a member or account ID: non-empty, bounded, and not a
// role name.
func checkID(kind, id string) error {
	switch {
	case id == "":
		return invalidf(ReasonBadSubject, "", "%w: empty %s", ErrInvalidSubject, kind)
	case len(id) > maxIDLen:
		return invalidf(ReasonBadSubject, id, "%w: %s longer than %d characters", ErrInvalidSubject, kind, maxIDLen)
	case strings.HasPrefix(id, rolePrefix):
		return invalidf(ReasonBadSubject, id, "%w: %s %q names a role", ErrInvalidSubject, kind, id)
	}
	return nil
}

// clip shortens untrusted input quoted in error messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

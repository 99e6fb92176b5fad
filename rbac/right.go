package rbac

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; test them with errors.Is.
var (
	// ErrUnknownRight: the product:action is not in the catalog.
	ErrUnknownRight = errors.New("rbac: unknown right")
	// ErrInvalidRight: a right, resource, expiry or rule is malformed.
	ErrInvalidRight = errors.New("rbac: invalid right")
	// ErrInvalidSubject: a member or account ID is empty, too long or
	// names a role.
	ErrInvalidSubject = errors.New("rbac: invalid subject")
)

// Limits on identifiers, kept well under the index entry size of both
// engines.
const (
	maxResourceLen = 253 // a DNS name
	maxLabelLen    = 63
	maxIDLen       = 128
)

// rolePrefix starts every role name, so that a role can never be mistaken
// for a member ID (which the account package generates).
const rolePrefix = "role:"

// ownerRole is the role of the owner of an account; the rule
// "p, role:owner, ACCOUNT, *, *," gives it every right of the account.
const ownerRole = rolePrefix + "owner"

// Right is a parsed right: Product and Action name a catalog entry,
// Resource is empty for the whole product or names one resource (a domain,
// a server).
type Right struct {
	Product  string
	Action   string
	Resource string
}

// String returns "product:action" or "product:action:resource".
func (r Right) String() string {
	if r.Resource == "" {
		return r.Product + ":" + r.Action
	}
	return r.Product + ":" + r.Action + ":" + r.Resource
}

// Key returns "product:action", the catalog entry of r.
func (r Right) Key() string { return r.Product + ":" + r.Action }

// ParseRight parses "product:action" or "product:action:resource" and checks
// it against the catalog. The resource is lower-cased (resources are DNS-like
// names, compared case-insensitively). Errors wrap ErrUnknownRight (no such
// catalog entry) or ErrInvalidRight (bad syntax, or a resource on a right
// that cannot be narrowed).
func ParseRight(s string) (Right, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return Right{}, invalidf(ReasonRightSyntax, s, "%w %q: want product:action or product:action:resource", ErrInvalidRight, clip(s))
	}
	r := Right{Product: parts[0], Action: parts[1]}
	entry, ok := catalogIndex[r.Key()]
	if !ok {
		return Right{}, invalidf(ReasonUnknownRight, r.Key(), "%w %q", ErrUnknownRight, clip(r.Key()))
	}
	if len(parts) == 3 {
		res, err := normalizeResource(parts[2])
		if err != nil {
			return Right{}, fmt.Errorf("right %q: %w", clip(s), err)
		}
		if !entry.Narrowable {
			return Right{}, invalidf(ReasonNotNarrowable, r.Key(), "%w %q: %s cannot be narrowed to a resource", ErrInvalidRight, clip(s), r.Key())
		}
		r.Resource = res
	}
	return r, nil
}

// normalizeResource lower-cases a resource name and checks that it is a
// DNS-like name: dot-separated labels of letters, digits, '-' and '_', at
// most 253 characters. Wildcards are not resources: a right on every
// resource is written without one.
func normalizeResource(s string) (string, error) {
	if s == "" {
		return "", invalidf(ReasonBadResource, "", "%w: empty resource", ErrInvalidRight)
	}
	if len(s) > maxResourceLen {
		return "", invalidf(ReasonBadResource, s, "%w: resource longer than %d characters", ErrInvalidRight, maxResourceLen)
	}
	s = strings.ToLower(s)
	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return "", invalidf(ReasonBadResource, s, "%w: resource %q has an empty label", ErrInvalidRight, s)
		}
		if len(label) > maxLabelLen {
			return "", invalidf(ReasonBadResource, s, "%w: resource %q has a label longer than %d characters", ErrInvalidRight, s, maxLabelLen)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", invalidf(ReasonBadResource, s, "%w: resource %q: character %q not allowed (letters, digits, '-', '_', '.'; IDNs in punycode)", ErrInvalidRight, s, c)
			}
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "", invalidf(ReasonBadResource, s, "%w: resource %q: a label starts or ends with '-'", ErrInvalidRight, s)
		}
	}
	return s, nil
}

// Covers reports whether the rights held (strings as in tokens: whole
// "product:action" or narrowed "product:action:resource") include want. A
// whole right covers every narrowing of it; a narrowed right covers only
// itself. Unparsable rights cover nothing. Use it to stop a holder of
// members:manage from granting a right it does not hold.
func Covers(held []string, want string) bool {
	w, err := ParseRight(want)
	if err != nil {
		return false
	}
	for _, h := range held {
		r, err := ParseRight(h)
		if err != nil || r.Key() != w.Key() {
			continue
		}
		if r.Resource == "" || r.Resource == w.Resource {
			return true
		}
	}
	return false
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

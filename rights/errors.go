package rights

import "errors"

// Sentinel errors; test them with errors.Is.
var (
	// ErrInvalidRight: a right is not "product:action" or
	// "product:action:resource".
	ErrInvalidRight = errors.New("rights: invalid right")
	// ErrInvalidResource: a resource is not a DNS-like name.
	ErrInvalidResource = errors.New("rights: invalid resource")
	// ErrResourceMismatch: a narrowed right and the resource of a request
	// name two different resources.
	ErrResourceMismatch = errors.New("rights: right and request name different resources")
	// ErrExpired: a grant's expiry is not in the future.
	ErrExpired = errors.New("rights: expiry in the past")
)

// clip shortens untrusted input quoted in error messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

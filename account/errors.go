package account

import (
	"errors"

	"github.com/sesame-idp/sesame/db"
)

// Sentinel errors; test them with errors.Is.
var (
	// ErrNotFound is db.ErrNotFound: the record does not exist (or, for a
	// session, has expired or belongs to a member who is no longer active).
	ErrNotFound = db.ErrNotFound
	// ErrAlreadyExists is db.ErrAlreadyExists: an account owner, a member of
	// the same account or an administrator already has this email.
	ErrAlreadyExists = db.ErrAlreadyExists
	// ErrInvalidEmail means an email address is malformed.
	ErrInvalidEmail = errors.New("account: invalid email address")
	// ErrInvalidName means a display name is too long or holds control
	// characters.
	ErrInvalidName = errors.New("account: invalid name")
	// ErrWeakPassword means a new password breaks the policy; the error is
	// a *PolicyError that lists the failures.
	ErrWeakPassword = errors.New("account: password does not meet the policy")
	// ErrInvalidCredentials is the one answer to every failed sign-in,
	// whatever the reason.
	ErrInvalidCredentials = errors.New("account: invalid credentials")
	// ErrInvalidCode is the answer to a wrong, reused or expired second-
	// factor code.
	ErrInvalidCode = errors.New("account: invalid second-factor code")
	// ErrConflict means the second factor is not in the state the call
	// needs (already confirmed, or nothing pending).
	ErrConflict = errors.New("account: second factor in another state")
	// ErrNoSecondFactor means the member has no confirmed second factor.
	ErrNoSecondFactor = errors.New("account: no second factor")
	// ErrLastFactor refuses to remove the last second factor of someone
	// who must keep one (an administrator, or under the owner's policy).
	ErrLastFactor = errors.New("account: the last second factor cannot be removed")
	// ErrTooManyPasskeys means the person has as many passkeys as allowed.
	ErrTooManyPasskeys = errors.New("account: too many passkeys")
	// ErrThrottled means too many sign-ins failed recently for this email
	// (in this account) or from this IP address; it is returned for unknown
	// emails too, so it reveals nothing about existence.
	ErrThrottled = errors.New("account: too many failed sign-ins, try again later")
)

package members

import (
	"errors"
	"fmt"
)

// Errors of the package; callers test them with errors.Is.
var (
	// ErrForbidden: the actor may not do this (not a manager of the
	// account, a right it does not hold, the owner, itself).
	ErrForbidden = errors.New("members: forbidden")
	// ErrNotYours, ErrOwnerUntouchable, ErrHoldsMore and ErrBeyondOwn wrap
	// ErrForbidden and say why, so that pages can explain the refusal:
	// changing one's own access, the owner's, that of someone holding a
	// right the manager does not hold, or giving more (or longer) than the
	// manager holds.
	ErrNotYours         = fmt.Errorf("%w: one's own access", ErrForbidden)
	ErrOwnerUntouchable = fmt.Errorf("%w: the account holder's access", ErrForbidden)
	ErrHoldsMore        = fmt.Errorf("%w: the member holds a right the manager does not", ErrForbidden)
	ErrBeyondOwn        = fmt.Errorf("%w: more than the granter holds, or ending later", ErrForbidden)
	// ErrNotFound: no such login account or invitation in this account.
	ErrNotFound = errors.New("members: not found")
	// ErrAlreadyMember: the email is already a login account (or the owner) of the account.
	ErrAlreadyMember = errors.New("members: already a member of this account")
	// ErrAlreadyInvited: a pending invitation exists for this email; resend it instead.
	ErrAlreadyInvited = errors.New("members: already invited")
	// ErrLinkInvalid: the invitation link is unknown, used, revoked or expired.
	ErrLinkInvalid = errors.New("members: invitation link invalid or expired")
	// ErrLinkUsed: the invitation link was used to set a password. It
	// wraps ErrLinkInvalid: the link no longer works, and pages say why.
	ErrLinkUsed = fmt.Errorf("%w: the invitation was accepted", ErrLinkInvalid)
	// ErrTooManyInvitations: the account sent its hourly quota of
	// invitation emails; it may send more later.
	ErrTooManyInvitations = errors.New("members: too many invitations this hour")
	// ErrResendTooSoon: the invitation was sent less than ResendCooldown
	// ago; it may be sent again once the cooldown has passed.
	ErrResendTooSoon = errors.New("members: invitation sent too recently to send again")
	// ErrMismatch: the account ID or email typed does not match the
	// invitation; which one is not said.
	ErrMismatch = errors.New("members: account ID or email does not match the invitation")
)

// InvalidError is bad input: a malformed email, an unknown right, a
// resource of the wrong shape. Field names the input.
type InvalidError struct {
	Field string
	Err   error
}

func (e *InvalidError) Error() string { return fmt.Sprintf("members: invalid %s: %v", e.Field, e.Err) }
func (e *InvalidError) Unwrap() error { return e.Err }

func invalid(field string, err error) error { return &InvalidError{Field: field, Err: err} }

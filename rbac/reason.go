package rbac

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sesame-idp/sesame/rights"
)

// Reason says why rbac refused an input, so that callers can explain it
// in their own words and language without reading the error's text.
type Reason string

// Reasons of an InvalidError.
const (
	ReasonRightSyntax      Reason = "right_syntax"       // not product:action[:resource]
	ReasonUnknownRight     Reason = "unknown_right"      // not in the catalog
	ReasonNotNarrowable    Reason = "not_narrowable"     // a resource on a right that takes none
	ReasonBadResource      Reason = "bad_resource"       // a resource that is no DNS-like name
	ReasonResourceMismatch Reason = "resource_mismatch"  // the right and the request name different resources
	ReasonExpiryPast       Reason = "expiry_past"        // a grant that expires in the past
	ReasonBadSubject       Reason = "bad_subject"        // a member or account ID empty, too long or a role
	ReasonBadRole          Reason = "bad_role"           // a role name that is not role:NAME
	ReasonRuleShape        Reason = "rule_shape"         // a rule's fields do not fit its type
	ReasonResourceInAction Reason = "resource_in_action" // a rule's action names a resource
	ReasonTemplateID       Reason = "template_id"        // a template ID of the wrong form
	ReasonTemplateNames    Reason = "template_names"     // a template without both names
	ReasonTemplateNarrowed Reason = "template_narrowed"  // a template right narrowed to a resource
)

// Reasons lists every Reason, for callers that keep a message for each.
func Reasons() []Reason {
	return []Reason{ReasonRightSyntax, ReasonUnknownRight, ReasonNotNarrowable, ReasonBadResource,
		ReasonResourceMismatch, ReasonExpiryPast, ReasonBadSubject, ReasonBadRole, ReasonRuleShape,
		ReasonResourceInAction, ReasonTemplateID, ReasonTemplateNames, ReasonTemplateNarrowed}
}

// InvalidError is an input rbac refuses. It wraps ErrUnknownRight,
// ErrInvalidRight or ErrInvalidSubject (test those with errors.Is); Reason
// and Value say what was wrong with which input, for messages to people.
type InvalidError struct {
	Reason Reason
	Value  string // the refused input, shortened; may be empty
	err    error
}

// Error returns the refusal in English, for logs and developers.
func (e *InvalidError) Error() string { return e.err.Error() }

// Unwrap returns the described error, which wraps the sentinel.
func (e *InvalidError) Unwrap() error { return e.err }

// invalidf returns an InvalidError whose text is format applied to args;
// format wraps the sentinel with %w.
func invalidf(reason Reason, value, format string, args ...any) error {
	return &InvalidError{Reason: reason, Value: clip(value), err: fmt.Errorf(format, args...)}
}

// refused turns an error of package rights about value into an
// InvalidError wrapping ErrInvalidRight; an InvalidError passes unchanged.
func refused(err error, value string) error {
	if inv, ok := errors.AsType[*InvalidError](err); ok {
		return inv
	}
	reason := ReasonRightSyntax
	switch {
	case errors.Is(err, rights.ErrInvalidResource):
		reason = ReasonBadResource
		// Name the resource, not the whole right it came in.
		if parts := strings.SplitN(value, ":", 3); len(parts) == 3 {
			value = parts[2]
		}
	case errors.Is(err, rights.ErrResourceMismatch):
		reason = ReasonResourceMismatch
	case errors.Is(err, rights.ErrExpired):
		reason = ReasonExpiryPast
	}
	return invalidf(reason, value, "%w: %w", ErrInvalidRight, err)
}

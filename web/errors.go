package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// Error is an error as a person or a client is told of it: its HTTP
// status, its API error code and its message key in the page catalog
// (templates/i18n), with the values the message names. DetailKey, when
// set, is a second, more precise message (why an input was refused). Err
// is the cause, for the log only: its text never reaches a client.
type Error struct {
	Status    int
	Code      string
	Key       string
	DetailKey string
	Args      map[string]any
	Err       error
}

// Error describes e for the log: status, code and the cause's text.
func (e *Error) Error() string {
	msg := fmt.Sprintf("web: %d %s", e.Status, e.Code)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// newError returns an Error of status, code and message key.
func newError(status int, code, key string) *Error {
	return &Error{Status: status, Code: code, Key: key}
}

// badRequest is input refused before anything changed.
func badRequest(code, key string) *Error { return newError(http.StatusBadRequest, code, key) }

// notFound is a page or an object that does not exist.
func notFound(key string) *Error { return newError(http.StatusNotFound, "not_found", key) }

// conflict is a request that clashes with what exists.
func conflict(code, key string) *Error { return newError(http.StatusConflict, code, key) }

// unauthorized is a request that nobody signed in or no valid token makes.
func unauthorized(code, key string) *Error { return newError(http.StatusUnauthorized, code, key) }

// forbidden is a request its author may not make.
func forbidden(code, key string) *Error { return newError(http.StatusForbidden, code, key) }

// with sets a value the message names ({{.Name}} in the catalog).
func (e *Error) with(name string, v any) *Error {
	if e.Args == nil {
		e.Args = map[string]any{}
	}
	e.Args[name] = v
	return e
}

// detail sets the precise message of the error.
func (e *Error) detail(key string) *Error {
	e.DetailKey = key
	return e
}

// wrap records the cause of the error, for the log.
func (e *Error) wrap(err error) *Error {
	e.Err = err
	return e
}

// classify maps any error of a handler to the Error told to the client:
// an *Error as it is, the sentinels of the services to their status, and
// everything else to a 503 (the database failed) or a 500, logged at
// ERROR with the request's path.
func (s *Server) classify(c *gin.Context, err error) *Error {
	if e := classifyError(err); e != nil {
		return e
	}
	ctx := c.Request.Context()
	switch {
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		s.Logger.InfoContext(ctx, "request canceled", "path", logPath(c.Request.URL.Path), "err", err)
		return newError(http.StatusServiceUnavailable, "unavailable", "error_unavailable").wrap(err)
	case errors.Is(err, context.DeadlineExceeded), db.IsStorageFailure(err):
		s.Logger.ErrorContext(ctx, "request failed: storage unavailable", "path", logPath(c.Request.URL.Path), "err", err)
		return newError(http.StatusServiceUnavailable, "unavailable", "error_unavailable").wrap(err)
	}
	s.Logger.ErrorContext(ctx, "request failed", "path", logPath(c.Request.URL.Path), "err", err)
	return newError(http.StatusInternalServerError, "server_error", "error_internal").wrap(err)
}

// classifyError maps the errors whose meaning is known; nil for others.
func classifyError(err error) *Error {
	var (
		we  *Error
		inv *members.InvalidError
	)
	switch {
	case errors.As(err, &we):
		return we
	case errors.Is(err, errNoActor):
		return unauthorized("unauthorized", "api_unauthorized").wrap(err)
	case errors.Is(err, members.ErrBeyondOwn):
		return forbidden("forbidden", "members_err_beyond_own").wrap(err)
	case errors.Is(err, members.ErrHoldsMore):
		return forbidden("forbidden", "members_err_holds_more").wrap(err)
	case errors.Is(err, members.ErrOwnerUntouchable):
		return forbidden("forbidden", "members_err_owner").wrap(err)
	case errors.Is(err, members.ErrNotYours):
		return forbidden("forbidden", "members_err_not_yours").wrap(err)
	case errors.Is(err, members.ErrForbidden):
		return forbidden("forbidden", "api_forbidden").wrap(err)
	case errors.Is(err, members.ErrNotFound):
		return notFound("api_not_found").wrap(err)
	case errors.Is(err, members.ErrAlreadyMember):
		return conflict("already_member", "api_already_member").wrap(err)
	case errors.Is(err, members.ErrAlreadyInvited):
		return conflict("already_invited", "api_already_invited").wrap(err)
	case errors.Is(err, members.ErrTooManyInvitations):
		return newError(http.StatusTooManyRequests, "too_many_invitations", "api_too_many_invitations").wrap(err)
	case errors.Is(err, members.ErrResendTooSoon):
		return newError(http.StatusTooManyRequests, "resend_too_soon", "api_resend_too_soon").wrap(err)
	case errors.Is(err, members.ErrLinkInvalid):
		// Pages turn it into a 410 (see invitationLinkError); for the API
		// it is an invitation that is no longer pending.
		return conflict("invitation_not_pending", "api_invitation_not_pending").wrap(err)
	case errors.Is(err, members.ErrMismatch):
		return badRequest("mismatch", "invitation_mismatch").wrap(err)
	case errors.As(err, &inv):
		return invalidInput(inv)
	case errors.Is(err, account.ErrInvalidCredentials):
		return unauthorized("invalid_credentials", "login_failed").wrap(err)
	case errors.Is(err, account.ErrThrottled):
		return newError(http.StatusTooManyRequests, "throttled", "login_throttled").wrap(err)
	case errors.Is(err, account.ErrInvalidEmail):
		return badRequest("invalid_email", "console_invalid_email").wrap(err)
	case errors.Is(err, account.ErrInvalidName):
		return badRequest("invalid_name", "invitation_bad_name").wrap(err)
	case errors.Is(err, account.ErrWeakPassword):
		return badRequest("weak_password", "invitation_weak").wrap(err)
	case errors.Is(err, rbac.ErrOwnerRule):
		return forbidden("owner_rule", "admin_err_owner_rule").wrap(err)
	case errors.Is(err, rbac.ErrUnknownRight):
		return refused("unknown_right", "admin_err_unknown_right", err)
	case errors.Is(err, rbac.ErrInvalidSubject):
		return refused("invalid_subject", "admin_err_invalid_subject", err)
	case errors.Is(err, rbac.ErrInvalidRight):
		return refused("invalid_rule", "admin_err_invalid_rule", err)
	case errors.Is(err, db.ErrAlreadyExists):
		return conflict("already_exists", "admin_err_exists").wrap(err)
	case errors.Is(err, db.ErrNotFound):
		return notFound("admin_err_not_found").wrap(err)
	}
	return nil
}

// invalidInput maps members' refusal of an input to the message of its
// field; a right rbac refused says why.
func invalidInput(inv *members.InvalidError) *Error {
	key := "api_invalid_input"
	switch inv.Field {
	case "email":
		key = "console_invalid_email"
	case "rights":
		key = "console_invalid_rights"
	case "template":
		key = "console_invalid_template"
	}
	return refused("invalid_"+inv.Field, key, inv)
}

// refused is a 400 for input err refuses; when rbac refused it, the
// error's detail is rbac's reason, naming the refused value.
func refused(code, key string, err error) *Error {
	e := badRequest(code, key).wrap(err)
	var rbe *rbac.InvalidError
	if errors.As(err, &rbe) {
		e.detail(reasonKey(rbe.Reason)).with("Value", rbe.Value)
	}
	return e
}

// reasonKey is the message key that explains an rbac refusal.
func reasonKey(r rbac.Reason) string { return "rbac_reason_" + string(r) }

package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/rbac"
)

// adminInputError is input the admin area refuses before calling a
// service: nothing was changed.
type adminInputError struct {
	Status int    // HTTP status; 400 when zero
	Code   string // API error code, e.g. "invalid_expiry"
	Key    string // message key of the pages
	Detail string // the reason, in English, for the API and the log
}

func (e *adminInputError) Error() string { return "web: admin: " + e.Detail }

func adminBadInput(code, key, detail string) error {
	return &adminInputError{Status: http.StatusBadRequest, Code: code, Key: key, Detail: detail}
}

// adminFailure is an error of the admin area as shown to the admin.
type adminFailure struct {
	Status  int
	Code    string // API error code
	Message string // for people, in the page's language
	Detail  string // the technical reason (rbac's validation message), may be empty
}

// adminClassify maps an error of the admin area or of the rights service
// to a status, a code and messages. Unexpected errors are logged and
// become a 500 with a generic message.
func (s *Server) adminClassify(c *gin.Context, err error) adminFailure {
	var in *adminInputError
	switch {
	case errors.As(err, &in):
		status := in.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		return adminFailure{Status: status, Code: in.Code, Message: s.msg(c, in.Key), Detail: in.Detail}
	case errors.Is(err, rbac.ErrUnknownRight):
		return adminFailure{http.StatusBadRequest, "unknown_right", s.msg(c, "admin_err_unknown_right"), rbacDetail(err, rbac.ErrUnknownRight)}
	case errors.Is(err, rbac.ErrInvalidSubject):
		return adminFailure{http.StatusBadRequest, "invalid_subject", s.msg(c, "admin_err_invalid_subject"), rbacDetail(err, rbac.ErrInvalidSubject)}
	case errors.Is(err, rbac.ErrInvalidRight):
		return adminFailure{http.StatusBadRequest, "invalid_rule", s.msg(c, "admin_err_invalid_rule"), rbacDetail(err, rbac.ErrInvalidRight)}
	case errors.Is(err, db.ErrAlreadyExists):
		return adminFailure{Status: http.StatusConflict, Code: "already_exists", Message: s.msg(c, "admin_err_exists")}
	case errors.Is(err, db.ErrNotFound):
		return adminFailure{Status: http.StatusNotFound, Code: "not_found", Message: s.msg(c, "admin_err_not_found")}
	}
	s.Logger.ErrorContext(c.Request.Context(), "admin request failed", "path", c.Request.URL.Path, "err", err)
	return adminFailure{Status: http.StatusInternalServerError, Code: "server_error", Message: s.msg(c, "error_internal")}
}

// rbacDetail keeps the part of a validation error that names the problem:
// from the sentinel's text on, without the package prefixes of the
// wrapping calls ("rbac: add rule: rbac: invalid right: …" becomes
// "invalid right: …").
func rbacDetail(err, sentinel error) string {
	msg := err.Error()
	if i := strings.Index(msg, sentinel.Error()); i >= 0 {
		msg = msg[i:]
	}
	return strings.ReplaceAll(msg, "rbac: ", "")
}

// adminAPIFail writes err as the JSON error of the admin API. The message
// is the precise reason when there is one, the generic message otherwise.
func (s *Server) adminAPIFail(c *gin.Context, err error) {
	f := s.adminClassify(c, err)
	msg := f.Message
	if f.Detail != "" {
		msg = f.Detail
	}
	c.AbortWithStatusJSON(f.Status, apiError{Error: f.Code, Message: msg})
}

// adminPageFail shows err as the admin area's error page, which leads
// back to the admin home.
func (s *Server) adminPageFail(c *gin.Context, err error) {
	f := s.adminClassify(c, err)
	s.render(c, f.Status, "admin_error", "error_title", errorView{Message: f.Message, Detail: f.Detail, Status: f.Status})
}

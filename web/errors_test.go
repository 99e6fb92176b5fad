package web

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/lib/pq"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// secretText stands for internal error text that must reach the log only.
const secretText = "SELECT password_hash FROM members: secret internal detail"

// testServer is a Server with the pages and a logger writing to the
// returned buffer; it has no services.
func testServer(t *testing.T) (*Server, *bytes.Buffer) {
	t.Helper()
	pg, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := &Server{Deps: Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: time.Now}, pages: pg, catalog: cat}
	return s, &logs
}

// failing answers every path with the error of the handler under both
// wrappers: /api/fail as JSON, /page/fail as the error page.
func failing(s *Server, err error) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(s.language)
	h := func(*gin.Context) error { return err }
	r.GET("/api/fail", s.api(h))
	r.GET("/page/fail", s.page(h))
	return r
}

func get(h http.Handler, target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

func decodeAPIError(t *testing.T, w *httptest.ResponseRecorder) apiError {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body:\n%s", ct, w.Body)
	}
	var e apiError
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	return e
}

func TestErrorMapping(t *testing.T) {
	_, unknownRight := rbac.ParseRight("domain:fly")
	_, notNarrowable := rbac.ParseRight("billing:pay:example.cm")
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		key    string // the message key, or "" to skip the message check
		logged bool   // logged at ERROR with the path
	}{
		{"db not found", fmt.Errorf("account: get: %w", db.ErrNotFound), http.StatusNotFound, "not_found", "admin_err_not_found", false},
		{"db already exists", fmt.Errorf("rbac: add rule: %w", db.ErrAlreadyExists), http.StatusConflict, "already_exists", "admin_err_exists", false},
		{"rbac unknown right", fmt.Errorf("rbac: add rule: %w", unknownRight), http.StatusBadRequest, "unknown_right", "", false},
		{"rbac invalid right", notNarrowable, http.StatusBadRequest, "invalid_rule", "", false},
		{"rbac invalid subject", fmt.Errorf("%w: empty member", rbac.ErrInvalidSubject), http.StatusBadRequest, "invalid_subject", "admin_err_invalid_subject", false},
		{"members forbidden", members.ErrForbidden, http.StatusForbidden, "forbidden", "api_forbidden", false},
		{"members not found", members.ErrNotFound, http.StatusNotFound, "not_found", "api_not_found", false},
		{"already member", members.ErrAlreadyMember, http.StatusConflict, "already_member", "api_already_member", false},
		{"already invited", members.ErrAlreadyInvited, http.StatusConflict, "already_invited", "api_already_invited", false},
		{"too many invitations", members.ErrTooManyInvitations, http.StatusTooManyRequests, "too_many_invitations", "api_too_many_invitations", false},
		{"resend too soon", members.ErrResendTooSoon, http.StatusTooManyRequests, "resend_too_soon", "api_resend_too_soon", false},
		{"invitation not pending", members.ErrLinkInvalid, http.StatusConflict, "invitation_not_pending", "api_invitation_not_pending", false},
		{"invitation mismatch", members.ErrMismatch, http.StatusBadRequest, "mismatch", "invitation_mismatch", false},
		{"invalid email", &members.InvalidError{Field: "email", Err: account.ErrInvalidEmail}, http.StatusBadRequest, "invalid_email", "console_invalid_email", false},
		{"invalid rights", &members.InvalidError{Field: "rights", Err: errors.New(secretText)}, http.StatusBadRequest, "invalid_rights", "console_invalid_rights", false},
		{"not signed in", errNoActor, http.StatusUnauthorized, "unauthorized", "api_unauthorized", false},
		{"bad credentials", account.ErrInvalidCredentials, http.StatusUnauthorized, "invalid_credentials", "login_failed", false},
		{"throttled", account.ErrThrottled, http.StatusTooManyRequests, "throttled", "login_throttled", false},
		{"typed error", badRequest("invalid_status", "api_invalid_status").wrap(errors.New(secretText)), http.StatusBadRequest, "invalid_status", "api_invalid_status", false},
		{"deadline", fmt.Errorf("members: list: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "unavailable", "error_unavailable", true},
		{"canceled", context.Canceled, http.StatusServiceUnavailable, "unavailable", "error_unavailable", false},
		{"postgres error", fmt.Errorf("members: list: %w", &pq.Error{Code: "57P01", Message: secretText}), http.StatusServiceUnavailable, "unavailable", "error_unavailable", true},
		{"connection refused", fmt.Errorf("account: get: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), http.StatusServiceUnavailable, "unavailable", "error_unavailable", true},
		{"bad connection", fmt.Errorf("rbac: load: %w", errors.Join(errors.New(secretText), driver.ErrBadConn)), http.StatusServiceUnavailable, "unavailable", "error_unavailable", true},
		{"unknown error", errors.New(secretText), http.StatusInternalServerError, "server_error", "error_internal", true},
		{"wrapped unknown error", fmt.Errorf("web: render: %w", errors.New(secretText)), http.StatusInternalServerError, "server_error", "error_internal", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, logs := testServer(t)
			h := failing(s, tt.err)

			w := get(h, "/api/fail?lang=en")
			e := decodeAPIError(t, w)
			if w.Code != tt.status || e.Error != tt.code || e.Message == "" {
				t.Fatalf("API: %d %+v, want %d %s with a message", w.Code, e, tt.status, tt.code)
			}
			if tt.key != "" && len(s.catalog.Placeholders("en", tt.key)) == 0 && !strings.HasPrefix(e.Message, s.catalog.Text("en", tt.key)) {
				t.Fatalf("API message %q, want the text of %s", e.Message, tt.key)
			}
			if strings.Contains(w.Body.String(), "secret internal detail") || strings.Contains(w.Body.String(), tt.err.Error()) {
				t.Fatalf("the error's text reached the client: %s", w.Body)
			}
			logged := strings.Contains(logs.String(), "level=ERROR") && strings.Contains(logs.String(), "path=/api/fail")
			if logged != tt.logged {
				t.Fatalf("logged at ERROR with the path: %v, want %v\n%s", logged, tt.logged, logs)
			}

			p := get(h, "/page/fail?lang=en")
			if p.Code != tt.status || !strings.HasPrefix(p.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("page: %d %s, want %d HTML", p.Code, p.Header().Get("Content-Type"), tt.status)
			}
			if strings.Contains(p.Body.String(), "secret internal detail") {
				t.Fatalf("the error's text reached the page:\n%s", p.Body)
			}
		})
	}
}

// TestErrorPageLanguage shows the error page in the person's language.
func TestErrorPageLanguage(t *testing.T) {
	for _, tt := range []struct {
		name, lang, want string
	}{
		{"French", "fr", "Vous n'avez pas le droit de faire cela."},
		{"English", "en", "You may not do that."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := testServer(t)
			w := get(failing(s, members.ErrForbidden), "/page/fail?lang="+tt.lang)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), template.HTMLEscapeString(tt.want)) {
				t.Fatalf("%d, want 403 saying %q:\n%s", w.Code, tt.want, w.Body)
			}
		})
	}
}

// TestRefusalReasons: rbac's refusals reach API clients as a precise
// message built from the reason code and the refused value, not from the
// error's text.
func TestRefusalReasons(t *testing.T) {
	for _, tt := range []struct {
		name, right, want string
	}{
		{"unknown right", "domain:fly", "The right domain:fly is not in the catalog."},
		{"not narrowable", "billing:pay:example.cm", "The right billing:pay cannot be narrowed to a resource."},
		{"syntax", "domain", `"domain" is not a right`},
		{"bad resource", "domain:dns:exa mple", `The resource "exa mple" is not a valid name`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := testServer(t)
			_, err := rbac.ParseRight(tt.right)
			if err == nil {
				t.Fatalf("ParseRight(%q) accepted it", tt.right)
			}
			w := get(failing(s, err), "/api/fail?lang=en")
			e := decodeAPIError(t, w)
			if w.Code != http.StatusBadRequest || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("%d %q, want 400 saying %q", w.Code, e.Message, tt.want)
			}
			if strings.Contains(e.Message, "rbac:") {
				t.Fatalf("message %q holds the error's text", e.Message)
			}
		})
	}
}

// TestReasonMessages checks that every reason rbac gives has a message in
// both languages, as have the keys the errors of this package name.
func TestReasonMessages(t *testing.T) {
	s, _ := testServer(t)
	keys := []string{"error_unavailable", "api_no_route", "api_method", "api_invalid_json", "api_invalid_json_syntax",
		"api_invalid_json_field", "api_invalid_json_size", "api_patch_empty", "api_invalid_status", "api_bearer_required",
		"api_invalid_token", "api_client_token_only", "api_insufficient_scope", "api_check_required", "api_check_too_long",
		"api_check_batch_size", "api_invalid_input", "admin_reason_expiry", "admin_reason_expiry_past", "admin_reason_not_member"}
	for _, r := range rbac.Reasons() {
		keys = append(keys, reasonKey(r))
	}
	for _, k := range keys {
		if !s.catalog.Has(k) {
			t.Errorf("message %s is not in the catalog", k)
		}
	}
}

package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestBearerHeaderDoesNotSkipCSRF: a bearer header skips the CSRF check
// only where the token is the credential (the management API). Elsewhere
// the session cookie authorizes the request, so a bogus bearer header next
// to it is CSRF-checked (here an admin form); on the management API the bogus token is refused
// although the cookie is valid.
func TestBearerHeaderDoesNotSkipCSRF(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	admin := adminSignIn(t, s)
	bogus := http.Header{"Authorization": {"Bearer not-a-token"}, "Accept": {"application/json"}}

	form := url.Values{"id": {"forged"}, "name_fr": {"Forgé"}, "name_en": {"Forged"}, "rights": {"domain:read"}}
	status, body := send(t, admin.Client, http.MethodPost, s.URL+"/admin/templates", "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()), http.Header{"Authorization": {"Bearer not-a-token"}})
	if status != http.StatusForbidden {
		t.Fatalf("admin form, session cookie and bogus bearer, no CSRF token: %d, want 403:\n%.500s", status, body)
	}
	if status, _ := adminAPI(t, s, admin, http.MethodGet, "/api/v1/admin/templates/forged", "", nil); status != http.StatusNotFound {
		t.Fatalf("the forged template exists: GET %d", status)
	}

	owner := s.NewBrowser(t)
	owner.Submit(owner.Get("/login"), "password", map[string][]string{"email": {ownerEmail}, "password": {ownerPassword}})
	status, body = send(t, owner.Client, http.MethodPost, s.URL+"/api/v1/accounts/"+w.AccountID+"/members", "application/json",
		strings.NewReader(`{"email":"forged@example.cm","rights":["domain:read"]}`), bogus)
	if status != http.StatusUnauthorized {
		t.Fatalf("members API, session cookie and bogus bearer: %d %s, want 401", status, body)
	}
}

package panel

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/productkit"
	"github.com/sesame-idp/sesame/productkit/productkittest"
)

// TestServerDeleteStepUp: deleting a server takes server:manage, decided
// first, then a second factor of less than ten minutes; a password
// session is sent through it, a form is not replayed.
func TestServerDeleteStepUp(t *testing.T) {
	h := newHarness(t, "server", 0)
	reader := h.signIn("reader", "server:read", "server:operate")
	if status, _ := reader.post("/servers/web-01/delete", nil); status != 403 {
		t.Fatalf("delete without server:manage: %d, want 403", status)
	}
	admin := h.signIn("admin", "server:read", "server:manage:web-01")
	status, body := admin.get("/servers")
	if status != 200 || !strings.Contains(body, `href="/servers/web-01/delete"`) || strings.Contains(body, `href="/servers/backup-01/delete"`) {
		t.Fatalf("servers page: %d %s", status, body)
	}
	noFollow := &browser{h: h, sub: admin.sub, client: &http.Client{Jar: admin.client.Jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := noFollow.client.Get(h.srv.URL + "/servers/web-01/delete")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fservers%2Fweb-01%2Fdelete&step_up=600" {
		t.Fatalf("confirmation page without a second factor: %d → %s", resp.StatusCode, loc)
	}
	status, body = admin.post("/servers/web-01/delete", nil)
	if status != 403 || !strings.Contains(body, "Confirmer mon identité") {
		t.Fatalf("delete without a second factor: %d %s", status, body)
	}
	if _, body := admin.get("/servers"); !strings.Contains(body, "<strong>web-01</strong>") {
		t.Fatal("web-01 deleted without a second factor")
	}

	// The second factor at Sésame, then the confirmation page and the form.
	h.fake.Authenticate(productkittest.Authentication{ACR: productkit.ACRSecondFactor, AMR: []string{"pwd", "otp", "mfa"}})
	status, body = admin.get("/servers/web-01/delete")
	if status != 200 || !strings.Contains(body, `action="/servers/web-01/delete"`) {
		t.Fatalf("confirmation page after the second factor: %d %s", status, body)
	}
	if q := h.fake.LastAuthorize(); q.Get("acr_values") != productkit.ACRSecondFactor || q.Get("max_age") != "600" {
		t.Fatalf("authorization request %v", q)
	}
	if status, _ := admin.post("/servers/backup-01/delete", nil); status != 403 {
		t.Fatalf("delete of backup-01 with server:manage:web-01: %d, want 403", status)
	}
	if status, _ := admin.post("/servers/web-01/delete", nil); status != 303 {
		t.Fatalf("delete after the second factor: %d, want 303", status)
	}
	if _, body := admin.get("/servers?ok=ok_server_deleted"); strings.Contains(body, "<strong>web-01</strong>") || !strings.Contains(body, "Serveur supprimé.") {
		t.Fatalf("servers after the deletion: %s", body)
	}
}

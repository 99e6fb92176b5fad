package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestDelegatedManager: a login account holding members:manage manages the
// others but never grants what it does not hold, nor touches the owner.
func TestDelegatedManager(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		const pw = "Gerant#Delegue77"
		mgr := addLoginAccount(t, s, w.AccountID, "manager@example.cm", pw, "members:manage", "domain:read", "server:read")
		other := addLoginAccount(t, s, w.AccountID, "other@example.cm", pw, "domain:read")
		boss := addLoginAccount(t, s, w.AccountID, "boss@example.cm", pw, "server:manage")
		token := signInToken(t, w, "manager@example.cm", pw, w.AccountID)
		base := s.URL + "/api/v1/accounts/" + w.AccountID

		status, body := apiCall(t, "POST", base+"/members", token, map[string]any{"email": "new@example.cm", "rights": []string{"server:manage"}})
		if status != http.StatusForbidden || body["error"] != "forbidden" {
			t.Fatalf("granting server:manage: %d %v, want 403", status, body)
		}
		if status, _ := apiCall(t, "POST", base+"/members", token, map[string]any{"email": "new@example.cm", "rights": []string{"domain:read"}}); status != http.StatusCreated {
			t.Fatalf("granting a held right: %d", status)
		}
		if status, _ := apiCall(t, "PATCH", base+"/members/"+other.ID, token, map[string]any{"rights": []string{"server:read", "server:operate"}}); status != http.StatusForbidden {
			t.Fatalf("raising another above the manager: %d", status)
		}
		if status, _ := apiCall(t, "PATCH", base+"/members/"+other.ID, token, map[string]any{"rights": []string{"server:read"}}); status != http.StatusOK {
			t.Fatalf("changing rights within the manager's own: %d", status)
		}
		for name, id := range map[string]string{"owner": w.OwnerID, "itself": mgr.ID, "a more powerful member": boss.ID} {
			if status, _ := apiCall(t, "DELETE", base+"/members/"+id, token, nil); status != http.StatusForbidden {
				t.Fatalf("deleting %s: %d, want 403", name, status)
			}
		}
		// Another account is out of reach.
		acct2, _, _ := s.Accounts.CreateAccount(context.Background(), "Else", "else@example.cm", "Else", ownerPassword)
		if status, _ := apiCall(t, "GET", s.URL+"/api/v1/accounts/"+acct2.ID+"/members", token, nil); status != http.StatusForbidden {
			t.Fatalf("listing another account: %d", status)
		}
		// A token without sesame:members is refused.
		plain := signInToken(t, w, "manager@example.cm", pw, w.AccountID, "openid")
		if status, _ := apiCall(t, "GET", base+"/members", plain, nil); status != http.StatusUnauthorized {
			t.Fatalf("token without sesame:members: %d", status)
		}
		// Malformed input changes nothing.
		for _, bad := range []any{map[string]any{"email": "x@example.cm", "rights": []string{"domain:fly"}}, map[string]any{"emial": "x@example.cm"}, "not an object"} {
			if status, body := apiCall(t, "POST", base+"/members", token, bad); status != http.StatusBadRequest || body["message"] == "" {
				t.Fatalf("bad body %v: %d %v", bad, status, body)
			}
		}

		// In the console the manager sees no checkbox for server:manage.
		b := s.NewBrowser(t)
		p := b.Get("/login?tab=member")
		b.Submit(p, "password", url.Values{"email": {"manager@example.cm"}, "password": {pw}, "account_id": {w.AccountID}, "tab": {"member"}})
		p = b.Get("/console/members")
		if p.Status != http.StatusOK || strings.Contains(p.Body, `value="server:manage"`) || !strings.Contains(p.Body, `value="domain:read"`) {
			t.Fatalf("console of the manager: %d, server:manage offered or domain:read missing", p.Status)
		}
		// A CSRF-less cookie call is refused.
		if p := b.Post("/console/invitations", url.Values{"email": {"csrf@example.cm"}}); p.Status != http.StatusForbidden {
			t.Fatalf("console form without CSRF: %d", p.Status)
		}
	})
}

// TestDisableAndDelete: disabling a login account ends its sessions and
// tokens in the same request; deleting removes it.
func TestDisableAndDelete(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		const pw = "Technicien!2026x"
		m := addLoginAccount(t, s, w.AccountID, "tech@example.cm", pw, "server:read")
		owner := signInToken(t, w, ownerEmail, ownerPassword, "")

		rp := s.NewRP(t, w.ClientID, w.Secret, panelRedirect)
		b := s.NewBrowser(t)
		flow := rp.Start()
		p := b.SignIn(flow.URL, "tech@example.cm", pw, w.AccountID)
		tok, err := rp.Exchange(flow, rp.Callback(flow, p.Location))
		if err != nil {
			t.Fatal(err)
		}
		base := s.URL + "/api/v1/accounts/" + w.AccountID + "/members/" + m.ID
		if status, body := apiCall(t, "PATCH", base, owner, map[string]any{"status": "disabled"}); status != http.StatusOK || body["status"] != "disabled" {
			t.Fatalf("disable: %d %v", status, body)
		}
		if got := introspect(t, s, w, tok.AccessToken); got["active"] != false {
			t.Fatalf("access token after disable: %v", got)
		}
		if r := refresh(t, rp, tok.RefreshToken); r.err == nil {
			t.Fatal("refresh token still works after disable")
		}
		if p := b.Get("/account"); p.URL.Path != "/login" {
			t.Fatalf("browser session survived: %s", p.URL)
		}
		if p := s.NewBrowser(t).SignIn(rp.Start().URL, "tech@example.cm", pw, w.AccountID); p.Status != http.StatusUnauthorized {
			t.Fatalf("disabled sign-in: %d", p.Status)
		}
		if status, _ := apiCall(t, "PATCH", base, owner, map[string]any{"status": "active"}); status != http.StatusOK {
			t.Fatal("enable failed")
		}
		signInToken(t, w, "tech@example.cm", pw, w.AccountID)
		if status, _ := apiCall(t, "DELETE", base, owner, nil); status != http.StatusNoContent {
			t.Fatal("delete failed")
		}
		if status, _ := apiCall(t, "GET", base, owner, nil); status != http.StatusNotFound {
			t.Fatal("deleted member still listed")
		}
		// The audit trail holds every step.
		status, body := apiCall(t, "GET", s.URL+"/api/v1/accounts/"+w.AccountID+"/audit", owner, nil)
		trail := toJSON(body)
		for _, action := range []string{"member.disabled", "member.enabled", "member.deleted", "signin.succeeded", "signin.failed"} {
			if status != http.StatusOK || !strings.Contains(trail, action) {
				t.Fatalf("audit lacks %s: %d", action, status)
			}
		}
	})
}

// TestCheckAPI: the live check answers from the current policies.
func TestCheckAPI(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		w := seed(t, s)
		m := addLoginAccount(t, s, w.AccountID, "dns@example.cm", "Zone#Editeur99", "domain:dns:example.cm", "domain:read")
		owner := signInToken(t, w, ownerEmail, ownerPassword, "")
		cc := clientcredentials.Config{ClientID: w.ClientID, ClientSecret: w.Secret, TokenURL: s.URL + "/oauth2/token", Scopes: []string{"sesame:authz"}}
		tok, err := cc.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		check := func(body any) (int, map[string]any) {
			return apiCall(t, "POST", s.URL+"/api/v1/authz/check", tok.AccessToken, body)
		}
		q := func(right, resource string) map[string]any {
			return map[string]any{"sub": m.ID, "account_id": w.AccountID, "right": right, "resource": resource}
		}
		cases := []struct {
			name string
			body map[string]any
			want bool
		}{
			{"granted on its resource", q("domain:dns", "example.cm"), true},
			{"narrowed right, other resource", q("domain:dns", "other.cm"), false},
			{"whole right, any resource", q("domain:read", "anything.cm"), true},
			{"not granted", q("server:read", ""), false},
			{"owner holds everything", map[string]any{"sub": w.OwnerID, "account_id": w.AccountID, "right": "billing:pay"}, true},
			{"another account", map[string]any{"sub": m.ID, "account_id": "id000001", "right": "domain:read"}, false},
		}
		for _, c := range cases {
			status, body := check(c.body)
			if status != http.StatusOK || body["allowed"] != c.want {
				t.Fatalf("%s: %d %v, want allowed=%v", c.name, status, body, c.want)
			}
		}
		// Removing the right is denied on the very next call.
		if status, _ := apiCall(t, "PATCH", s.URL+"/api/v1/accounts/"+w.AccountID+"/members/"+m.ID, owner, map[string]any{"rights": []string{"domain:read"}}); status != http.StatusOK {
			t.Fatal("patch failed")
		}
		if _, body := check(q("domain:dns", "example.cm")); body["allowed"] != false {
			t.Fatal("removed right still allowed")
		}
		// A disabled login account is denied everything.
		apiCall(t, "PATCH", s.URL+"/api/v1/accounts/"+w.AccountID+"/members/"+m.ID, owner, map[string]any{"status": "disabled"})
		if _, body := check(q("domain:read", "")); body["allowed"] != false {
			t.Fatal("disabled member still allowed")
		}
		// Batch form.
		status, body := apiCall(t, "POST", s.URL+"/api/v1/authz/check/batch", tok.AccessToken, map[string]any{"checks": []any{
			map[string]any{"sub": w.OwnerID, "account_id": w.AccountID, "right": "domain:dns", "resource": "x.cm"},
			q("domain:read", ""),
			map[string]any{"sub": w.OwnerID, "account_id": w.AccountID, "right": "nope"},
		}})
		results, _ := body["results"].([]any)
		if status != http.StatusOK || len(results) != 3 {
			t.Fatalf("batch: %d %v", status, body)
		}
		if r := results[0].(map[string]any); r["allowed"] != true {
			t.Fatalf("batch[0] = %v", r)
		}
		if r := results[1].(map[string]any); r["allowed"] != false {
			t.Fatalf("batch[1] = %v", r)
		}
		if r := results[2].(map[string]any); r["allowed"] != false || r["error"] == nil {
			t.Fatalf("batch[2] = %v, want an error for an unknown right", r)
		}
		// Malformed bodies: 400 with a message.
		for _, bad := range []any{"nope", map[string]any{"sub": m.ID}, map[string]any{"sub": m.ID, "account_id": w.AccountID, "right": "domain"}, map[string]any{"sub": m.ID, "account_id": w.AccountID, "right": "domain:read", "extra": 1}} {
			if status, body := check(bad); status != http.StatusBadRequest || body["message"] == "" {
				t.Fatalf("bad body %v: %d %v", bad, status, body)
			}
		}
		// A client without sesame:authz gets 403; no token 401.
		secret := createClient(t, s, &sqlstore.Client{ID: "noauthz", Name: "No authz", GrantTypes: []string{"client_credentials"}, Scopes: []string{"profile"}})
		cc2 := clientcredentials.Config{ClientID: "noauthz", ClientSecret: secret, TokenURL: s.URL + "/oauth2/token", Scopes: []string{"profile"}}
		tok2, err := cc2.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := apiCall(t, "POST", s.URL+"/api/v1/authz/check", tok2.AccessToken, q("domain:read", "")); status != http.StatusForbidden {
			t.Fatalf("client without sesame:authz: %d, want 403", status)
		}
		if status, _ := apiCall(t, "POST", s.URL+"/api/v1/authz/check", "", q("domain:read", "")); status != http.StatusUnauthorized {
			t.Fatalf("no token: %d, want 401", status)
		}
	})
}

// TestCheckAPIRefusesPersonTokens: a person's token never opens the check
// API, even from a client allowed sesame:authz.
func TestCheckAPIRefusesPersonTokens(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	tok := signInToken(t, w, ownerEmail, ownerPassword, "", "openid", "sesame:authz")
	if scope := decodeJWT(t, tok)["claims"].(map[string]any)["scope"]; strings.Contains(scope.(string), "sesame:authz") {
		t.Fatalf("a person's token was granted sesame:authz: %v", scope)
	}
	status, _ := apiCall(t, "POST", s.URL+"/api/v1/authz/check", tok, map[string]any{"sub": w.OwnerID, "account_id": w.AccountID, "right": "domain:read"})
	if status != http.StatusForbidden {
		t.Fatalf("check API with a person's token: %d, want 403", status)
	}
}

package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

const (
	adminEmail        = "root@sesame.test"
	adminPassword     = "Pl4tform!-Keeper"
	adminTechEmail    = "tech@example.cm"
	adminTechPassword = "Tr0ub4dor&3-Tech"
)

// adminSignIn creates the platform admin and signs a new browser in
// through the real form.
func adminSignIn(t *testing.T, s *sesametest.Instance) *sesametest.Browser {
	t.Helper()
	if _, err := s.Accounts.CreateAdmin(context.Background(), adminEmail, adminPassword); err != nil {
		t.Fatal(err)
	}
	b := s.NewBrowser(t)
	p := b.Get("/admin/login")
	p = b.Submit(p, "password", url.Values{"email": {adminEmail}, "password": {adminPassword}})
	// Every admin has a second factor: the first sign-in enrols one.
	enrolTOTP(t, b, p, &sesametest.Clock{})
	p = b.Get("/admin")
	if p.Status != http.StatusOK || p.URL.Path != "/admin" || !strings.Contains(p.Body, adminEmail) {
		t.Fatalf("admin sign-in ended at %s with %d:\n%s", p.URL, p.Status, p.Body)
	}
	return b
}

var (
	adminCSRFAttr  = regexp.MustCompile(`name="csrf_token" value="[^"]*"`)
	adminEmailAttr = regexp.MustCompile(`name="email" type="email"[^>]*value="[^"]*"`)
)

func TestAdminSignIn(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		seed(t, s)
		b := adminSignIn(t, s)

		t.Run("the admin session opens the API and not the members' pages", func(t *testing.T) {
			status, body := adminAPI(t, s, b, http.MethodGet, "/api/v1/admin/me", "", nil)
			if status != http.StatusOK || body["email"] != adminEmail {
				t.Fatalf("GET me = %d %v", status, body)
			}
			if p := b.Get("/account"); p.URL.Path != "/login" {
				t.Fatalf("an admin session reached %s", p.URL)
			}
		})

		t.Run("wrong password and unknown email fail alike", func(t *testing.T) {
			other := s.NewBrowser(t)
			wrong := other.Submit(other.Get("/admin/login"), "password", url.Values{"email": {adminEmail}, "password": {"Not-the-P4ssword"}})
			unknown := other.Submit(other.Get("/admin/login"), "password", url.Values{"email": {"nobody@sesame.test"}, "password": {"Not-the-P4ssword"}})
			if wrong.Status != http.StatusUnauthorized || unknown.Status != wrong.Status {
				t.Fatalf("statuses %d and %d, want 401 both", wrong.Status, unknown.Status)
			}
			norm := func(p sesametest.Page) string {
				return adminEmailAttr.ReplaceAllString(adminCSRFAttr.ReplaceAllString(p.Body, ""), "")
			}
			if norm(wrong) != norm(unknown) {
				t.Fatalf("the two failures differ:\n%s\n----\n%s", norm(wrong), norm(unknown))
			}
			if !strings.Contains(wrong.Body, "Adresse e-mail ou mot de passe incorrect.") {
				t.Fatalf("no failure message:\n%s", wrong.Body)
			}
			if p := other.Get("/admin"); p.URL.Path != "/admin/login" {
				t.Fatalf("a failed sign-in reached %s", p.URL)
			}
		})

		t.Run("too many failures give 429", func(t *testing.T) {
			other := s.NewBrowser(t)
			var p sesametest.Page
			for i := 0; i < 11; i++ {
				p = other.Submit(other.Get("/admin/login"), "password", url.Values{"email": {"ghost@sesame.test"}, "password": {"Wr0ng-Password!"}})
				if p.Status == http.StatusTooManyRequests {
					break
				}
			}
			if p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" {
				t.Fatalf("after 11 failures: %d, want 429 with Retry-After", p.Status)
			}
		})

		t.Run("a member session is not an admin session", func(t *testing.T) {
			m := s.NewBrowser(t)
			p := m.Submit(m.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
			if p.URL.Path != "/account" {
				t.Fatalf("owner sign-in ended at %s (%d)", p.URL, p.Status)
			}
			for _, path := range []string{"/admin", "/admin/templates", "/admin/explain"} {
				if p := m.Get(path); p.URL.Path != "/admin/login" || !strings.Contains(p.Body, "Votre session actuelle est celle") {
					t.Fatalf("a member reached %s: %s (%d)", path, p.URL, p.Status)
				}
			}
			if status, body := adminAPI(t, s, m, http.MethodGet, "/api/v1/admin/templates", "", nil); status != http.StatusForbidden || body["error"] != "forbidden" {
				t.Fatalf("member on the admin API: %d %v, want 403", status, body)
			}
		})

		t.Run("sign-out ends the admin session", func(t *testing.T) {
			p := b.SubmitAction(b.Get("/admin"), "/admin/logout", nil)
			if p.URL.Path != "/admin/login" || !strings.Contains(p.Body, "Votre session est fermée.") {
				t.Fatalf("sign-out ended at %s (%d)", p.URL, p.Status)
			}
			if p := b.Get("/admin"); p.URL.Path != "/admin/login" {
				t.Fatalf("after sign-out /admin gave %s", p.URL)
			}
		})
	})
}

func TestAdminRulesPages(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		ctx := context.Background()
		w := seed(t, s)
		tech := addLoginAccount(t, s, w.AccountID, adminTechEmail, adminTechPassword)
		b := adminSignIn(t, s)
		accountPath := "/admin/accounts/" + w.AccountID
		rulesPath := accountPath + "/rules"
		allowed := func(right, resource string) bool {
			t.Helper()
			ok, err := s.Rights.Allowed(ctx, tech.ID, w.AccountID, right, resource)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}

		// The home page's look-up form (a GET form) leads to the account.
		home := b.Get("/admin")
		if _, ok := adminForm(t, home, "/admin/accounts", "account_id", ""); !ok {
			t.Fatal("no look-up form on the home page")
		}
		p := b.Get("/admin/accounts?account_id=" + strings.ToUpper(w.AccountID))
		if p.Status != http.StatusOK || p.URL.Path != accountPath {
			t.Fatalf("look-up ended at %s (%d)", p.URL, p.Status)
		}
		if !strings.Contains(p.Body, tech.ID) || !strings.Contains(p.Body, adminTechEmail) || !strings.Contains(p.Body, "role:owner") {
			t.Fatalf("the account page lacks members or rules:\n%s", p.Body)
		}
		if p := b.Get("/admin/accounts?account_id=id000000"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "Aucun compte ne porte cet identifiant.") {
			t.Fatalf("unknown account: %d, want 404", p.Status)
		}

		// Add a narrowed grant through the form, the member given by email.
		if allowed("domain:dns", "example.cm") {
			t.Fatal("allowed before any grant")
		}
		p = b.SubmitAction(p, rulesPath, url.Values{"subject": {adminTechEmail}, "action": {"domain:dns"}, "object": {"Example.CM"}})
		if p.Status != http.StatusOK || p.URL.Query().Get("done") != "admin_done_rule_added" {
			t.Fatalf("add rule: %s (%d)\n%s", p.URL, p.Status, p.Body)
		}
		if !allowed("domain:dns", "example.cm") || allowed("domain:dns", "other.cm") {
			t.Fatal("the added rule does not decide as granted")
		}
		adminAudited(t, s, w.AccountID, "add p, "+tech.ID+", "+w.AccountID+", example.cm, domain:dns")
		if !strings.Contains(p.Body, audit.PolicyChanged) {
			t.Fatal("the account page does not show the account's audit trail")
		}

		t.Run("the explain page names the deciding rule", func(t *testing.T) {
			q := url.Values{"account_id": {w.AccountID}, "sub": {tech.ID}, "right": {"domain:dns"}, "resource": {"example.cm"}}
			e := b.Get("/admin/explain?" + q.Encode())
			if e.Status != http.StatusOK || !strings.Contains(e.Body, "Autorisé") ||
				!strings.Contains(e.Body, "p, "+tech.ID+", "+w.AccountID+", example.cm, domain:dns") {
				t.Fatalf("explain (allowed):\n%s", e.Body)
			}
			q.Set("resource", "other.cm")
			q.Set("sub", adminTechEmail) // by email, too
			e = b.Get("/admin/explain?" + q.Encode())
			if e.Status != http.StatusOK || !strings.Contains(e.Body, "Refusé") || !strings.Contains(e.Body, "seulement sur example.cm") {
				t.Fatalf("explain (denied):\n%s", e.Body)
			}
			q.Set("right", "domain:nope")
			if e = b.Get("/admin/explain?" + q.Encode()); e.Status != http.StatusBadRequest {
				t.Fatalf("explain with an unknown right: %d, want 400", e.Status)
			}
		})

		t.Run("bad input is refused and changes nothing", func(t *testing.T) {
			before := adminRules(t, s, w.AccountID)
			page := b.Get(accountPath)
			for _, tt := range []struct {
				name   string
				set    url.Values
				status int
			}{
				{"duplicate", url.Values{"subject": {tech.ID}, "action": {"domain:dns"}, "object": {"example.cm"}}, http.StatusConflict},
				{"not a member", url.Values{"subject": {"stranger@example.cm"}, "action": {"domain:read"}}, http.StatusBadRequest},
				{"no subject", url.Values{"subject": {""}, "action": {"domain:read"}}, http.StatusBadRequest},
				{"unknown right", url.Values{"subject": {tech.ID}, "action": {"domain:fly"}}, http.StatusBadRequest},
				{"not narrowable", url.Values{"subject": {tech.ID}, "action": {"billing:pay"}, "object": {"example.cm"}}, http.StatusBadRequest},
				{"bad resource", url.Values{"subject": {tech.ID}, "action": {"domain:read"}, "object": {"exa mple"}}, http.StatusBadRequest},
				{"expiry in the past", url.Values{"subject": {tech.ID}, "action": {"domain:read"}, "expires_at": {"2001-01-01"}}, http.StatusBadRequest},
				{"unreadable expiry", url.Values{"subject": {tech.ID}, "action": {"domain:read"}, "expires_at": {"tomorrow"}}, http.StatusBadRequest},
			} {
				t.Run(tt.name, func(t *testing.T) {
					r := b.SubmitAction(page, rulesPath, tt.set)
					if r.Status != tt.status || !strings.Contains(r.Body, `class="error"`) {
						t.Fatalf("status %d, want %d with an error shown:\n%s", r.Status, tt.status, r.Body)
					}
				})
			}
			if after := adminRules(t, s, w.AccountID); len(after) != len(before) {
				t.Fatalf("rules changed from %v to %v", before, after)
			}
		})

		t.Run("a form without CSRF token is refused", func(t *testing.T) {
			r := b.Post(rulesPath, url.Values{"ptype": {"p"}, "subject": {tech.ID}, "action": {"billing:read"}})
			if r.Status != http.StatusForbidden || allowed("billing:read", "") {
				t.Fatalf("status %d, want 403 and no change", r.Status)
			}
		})

		t.Run("roles and expiries", func(t *testing.T) {
			page := b.Get(accountPath)
			// Typed in UTC, shown in the display zone and the page's language.
			at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
			until := at.Format("2006-01-02 15:04")
			zone, err := i18n.LoadZone("")
			if err != nil {
				t.Fatal(err)
			}
			shown := i18n.Dates{Lang: i18n.French, Zone: zone}.DateTime(at)
			r := b.SubmitAction(page, rulesPath, url.Values{"subject": {"role:mail-team"}, "action": {"email:read"}, "expires_at": {until}})
			if r.URL.Query().Get("done") != "admin_done_rule_added" {
				t.Fatalf("grant to a role: %d\n%s", r.Status, r.Body)
			}
			if allowed("email:read", "") {
				t.Fatal("allowed before the role was given")
			}
			give, ok := adminForm(t, r, rulesPath, "ptype", "g")
			if !ok {
				t.Fatal("no give-a-role form")
			}
			give.Set("subject", tech.ID)
			give.Set("role", "mail-team") // the prefix is added
			r = b.Post(rulesPath, give)
			if r.URL.Query().Get("done") != "admin_done_rule_added" {
				t.Fatalf("give a role: %d\n%s", r.Status, r.Body)
			}
			if !allowed("email:read", "") {
				t.Fatal("the role's right does not reach the member")
			}
			if !strings.Contains(r.Body, shown) {
				t.Fatalf("the expiry %s is not shown as %s", until, shown)
			}
			e := b.Get("/admin/explain?" + url.Values{"account_id": {w.AccountID}, "sub": {tech.ID}, "right": {"email:read"}}.Encode())
			if !strings.Contains(e.Body, "p, role:mail-team, "+w.AccountID+", *, email:read, ") || !strings.Contains(e.Body, "a le rôle mail-team") {
				t.Fatalf("explain through a role:\n%s", e.Body)
			}
			// Taking the role away ends the right.
			rm, ok := adminForm(t, r, accountPath+"/rules/remove", "role", "role:mail-team")
			if !ok {
				t.Fatal("no remove button for the role")
			}
			if r = b.Post(accountPath+"/rules/remove", rm); r.URL.Query().Get("done") != "admin_done_rule_removed" {
				t.Fatalf("remove the role: %d\n%s", r.Status, r.Body)
			}
			if allowed("email:read", "") {
				t.Fatal("still allowed after the role was removed")
			}
		})

		// Remove the grant with its button.
		p = b.Get(accountPath)
		rm, ok := adminForm(t, p, accountPath+"/rules/remove", "object", "example.cm")
		if !ok {
			t.Fatal("no remove button for the grant")
		}
		p = b.Post(accountPath+"/rules/remove", rm)
		if p.Status != http.StatusOK || p.URL.Query().Get("done") != "admin_done_rule_removed" {
			t.Fatalf("remove rule: %s (%d)\n%s", p.URL, p.Status, p.Body)
		}
		if allowed("domain:dns", "example.cm") {
			t.Fatal("still allowed after the rule was removed")
		}
		adminAudited(t, s, w.AccountID, "remove p, "+tech.ID+", "+w.AccountID+", example.cm, domain:dns")
		// The same button again: the rule is gone.
		if p = b.Post(accountPath+"/rules/remove", adminFreshToken(t, b, rm)); p.Status != http.StatusNotFound {
			t.Fatalf("removing a removed rule: %d, want 404", p.Status)
		}
		if p = b.Get("/admin/accounts/id000000"); p.Status != http.StatusNotFound {
			t.Fatalf("unknown account page: %d, want 404", p.Status)
		}
		// The English page.
		if p = b.Get(accountPath + "?lang=en"); !strings.Contains(p.Body, "Grant a right") || !strings.Contains(p.Body, `lang="en"`) {
			t.Fatalf("English account page:\n%s", p.Body)
		}
	})
}

func TestAdminTemplatesPages(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		ctx := context.Background()
		b := adminSignIn(t, s)
		template := func(id string) (rbac.Template, bool) {
			t.Helper()
			ts, err := s.Rights.Templates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, tp := range ts {
				if tp.ID == id {
					return tp, true
				}
			}
			return rbac.Template{}, false
		}

		p := b.Get("/admin/templates")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Comptable") {
			t.Fatalf("templates page (%d) lacks the defaults:\n%s", p.Status, p.Body)
		}
		create := url.Values{"id": {"dns-tech"}, "name_fr": {"Technicien DNS"}, "name_en": {"DNS technician"}, "rights": {"domain:dns", "domain:read"}}
		p = b.Submit(p, "name_fr", create)
		if p.URL.Query().Get("done") != "admin_done_template_saved" {
			t.Fatalf("create: %d\n%s", p.Status, p.Body)
		}
		if tp, ok := template("dns-tech"); !ok || tp.NameEN != "DNS technician" || !slices.Equal(tp.Rights, []string{"domain:read", "domain:dns"}) {
			t.Fatalf("stored template = %+v", tp)
		}
		if p = b.Submit(p, "name_fr", create); p.Status != http.StatusConflict {
			t.Fatalf("creating it again: %d, want 409", p.Status)
		}

		for _, tt := range []struct {
			name string
			set  url.Values
		}{
			{"no right", url.Values{"id": {"empty"}, "name_fr": {"Vide"}, "name_en": {"Empty"}}},
			{"bad id", url.Values{"id": {"Bad ID"}, "name_fr": {"X"}, "name_en": {"X"}, "rights": {"domain:read"}}},
			{"no English name", url.Values{"id": {"half"}, "name_fr": {"Moitié"}, "rights": {"domain:read"}}},
			{"unknown right", url.Values{"id": {"odd"}, "name_fr": {"X"}, "name_en": {"X"}, "rights": {"domain:fly"}}},
			{"narrowed right", url.Values{"id": {"odd"}, "name_fr": {"X"}, "name_en": {"X"}, "rights": {"domain:dns:example.cm"}}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := b.Submit(b.Get("/admin/templates"), "name_fr", tt.set)
				if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `class="error"`) {
					t.Fatalf("status %d, want 400 with the error shown", r.Status)
				}
				if _, ok := template(tt.set.Get("id")); ok {
					t.Fatal("an invalid template was stored")
				}
			})
		}

		// Edit: the form comes filled in, the ID fixed.
		p = b.Get("/admin/templates?edit=dns-tech")
		f, ok := adminForm(t, p, "/admin/templates", "mode", "edit")
		if !ok || f.Get("id") != "dns-tech" || !slices.Equal(f["rights"], []string{"domain:read", "domain:dns"}) {
			t.Fatalf("edit form = %v", f)
		}
		f.Set("name_fr", "Technicienne DNS")
		f["rights"] = []string{"domain:read"}
		if p = b.Post("/admin/templates", f); p.URL.Query().Get("done") != "admin_done_template_saved" {
			t.Fatalf("edit: %d\n%s", p.Status, p.Body)
		}
		if tp, _ := template("dns-tech"); tp.NameFR != "Technicienne DNS" || !slices.Equal(tp.Rights, []string{"domain:read"}) {
			t.Fatalf("edited template = %+v", tp)
		}

		p = b.SubmitAction(p, "/admin/templates/dns-tech/delete", nil)
		if p.URL.Query().Get("done") != "admin_done_template_deleted" {
			t.Fatalf("delete: %d\n%s", p.Status, p.Body)
		}
		if _, ok := template("dns-tech"); ok {
			t.Fatal("the template survived its deletion")
		}
		events, err := audit.New(s.DB).List(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var saves, deletes int
		for _, e := range events {
			if e.Action == audit.TemplateChanged && e.Target == "dns-tech" && e.ActorEmail == adminEmail && e.IP != "" {
				if e.Detail == "delete" {
					deletes++
				} else {
					saves++
				}
			}
		}
		if saves != 2 || deletes != 1 {
			t.Fatalf("audit has %d saves and %d deletions of dns-tech by the admin, want 2 and 1", saves, deletes)
		}
		if home := b.Get("/admin"); !strings.Contains(home.Body, audit.TemplateChanged) {
			t.Fatal("the home page does not show the platform audit trail")
		}
	})
}

func TestAdminAPI(t *testing.T) {
	sesametest.Each(t, func(t *testing.T, s *sesametest.Instance) {
		ctx := context.Background()
		w := seed(t, s)
		tech := addLoginAccount(t, s, w.AccountID, adminTechEmail, adminTechPassword)
		rulesURL := "/api/v1/admin/accounts/" + w.AccountID + "/rules"
		grant := map[string]any{"subject": tech.ID, "action": "server:operate", "object": "srv1.example.cm"}

		anon := s.NewBrowser(t)
		if status, body := adminAPI(t, s, anon, http.MethodGet, "/api/v1/admin/templates", "", nil); status != http.StatusUnauthorized || body["error"] != "unauthorized" {
			t.Fatalf("no session: %d %v, want 401", status, body)
		}
		anonToken := adminCSRF(t, anon, "/admin/login")
		if status, body := adminAPI(t, s, anon, http.MethodPost, rulesURL, anonToken, grant); status != http.StatusUnauthorized {
			t.Fatalf("no session, with a CSRF token: %d %v, want 401", status, body)
		}

		b := adminSignIn(t, s)
		token := adminCSRF(t, b, "/admin")
		if status, body := adminAPI(t, s, b, http.MethodPost, rulesURL, "", grant); status != http.StatusForbidden || body["error"] != "csrf_failed" {
			t.Fatalf("POST without CSRF header: %d %v, want 403", status, body)
		}

		status, body := adminAPI(t, s, b, http.MethodGet, "/api/v1/admin/accounts/"+w.AccountID+"/policies", "", nil)
		if status != http.StatusOK || len(body["rules"].([]any)) != 2 || len(body["members"].([]any)) != 2 {
			t.Fatalf("policies: %d %v", status, body)
		}
		if status, _ := adminAPI(t, s, b, http.MethodGet, "/api/v1/admin/accounts/id000000/policies", "", nil); status != http.StatusNotFound {
			t.Fatalf("policies of an unknown account: %d, want 404", status)
		}

		before := adminRules(t, s, w.AccountID)
		for _, tt := range []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"not JSON", "{", http.StatusBadRequest, "invalid_json"},
			{"unknown field", map[string]any{"subject": tech.ID, "action": "domain:read", "colour": "red"}, http.StatusBadRequest, "invalid_json"},
			{"unknown right", map[string]any{"subject": tech.ID, "action": "domain:fly"}, http.StatusBadRequest, "unknown_right"},
			{"resource in the action", map[string]any{"subject": tech.ID, "action": "domain:dns:example.cm"}, http.StatusBadRequest, "invalid_rule"},
			{"not a member", map[string]any{"subject": w.OwnerID + "x", "action": "domain:read"}, http.StatusBadRequest, "invalid_subject"},
			{"bad role", map[string]any{"ptype": "g", "subject": tech.ID, "role": "role:Tech Team"}, http.StatusBadRequest, "invalid_subject"},
			{"past expiry", map[string]any{"subject": tech.ID, "action": "domain:read", "expires_at": "2001-01-01T00:00:00Z"}, http.StatusBadRequest, "invalid_expiry"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				status, body := adminAPI(t, s, b, http.MethodPost, rulesURL, token, tt.body)
				if status != tt.status || body["error"] != tt.code || body["message"] == "" {
					t.Fatalf("%d %v, want %d %s with a message", status, body, tt.status, tt.code)
				}
			})
		}
		if after := adminRules(t, s, w.AccountID); len(after) != len(before) {
			t.Fatalf("bad requests changed the rules: %v", after)
		}

		allowed := func() bool {
			ok, err := s.Rights.Allowed(ctx, tech.ID, w.AccountID, "server:operate", "srv1.example.cm")
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		explain := func() map[string]any {
			t.Helper()
			status, x := adminAPI(t, s, b, http.MethodPost, "/api/v1/admin/explain", token,
				map[string]any{"sub": tech.ID, "account_id": w.AccountID, "right": "server:operate", "resource": "srv1.example.cm"})
			if status != http.StatusOK {
				t.Fatalf("explain: %d %v", status, x)
			}
			return x
		}
		if x := explain(); x["allowed"] != false || x["reason"] == "" {
			t.Fatalf("explain before the grant: %v", x)
		}
		if status, body := adminAPI(t, s, b, http.MethodPost, rulesURL, token, grant); status != http.StatusCreated || len(body["rules"].([]any)) != 3 {
			t.Fatalf("add: %d %v", status, body)
		}
		if !allowed() {
			t.Fatal("the rule added through the API does not allow")
		}
		if x := explain(); x["allowed"] != true || !slices.Equal(toStrings(x["rule"]), []string{"p", tech.ID, w.AccountID, "srv1.example.cm", "server:operate", ""}) {
			t.Fatalf("explain after the grant: %v", x)
		}
		if status, body := adminAPI(t, s, b, http.MethodPost, rulesURL, token, grant); status != http.StatusConflict {
			t.Fatalf("adding it twice: %d %v, want 409", status, body)
		}
		if status, body := adminAPI(t, s, b, http.MethodDelete, rulesURL, token, grant); status != http.StatusNoContent {
			t.Fatalf("remove: %d %v", status, body)
		}
		if allowed() {
			t.Fatal("still allowed after the API removed the rule")
		}
		if status, body := adminAPI(t, s, b, http.MethodDelete, rulesURL, token, grant); status != http.StatusNotFound {
			t.Fatalf("removing it twice: %d %v, want 404", status, body)
		}
		adminAudited(t, s, w.AccountID, "remove p, "+tech.ID+", "+w.AccountID+", srv1.example.cm, server:operate")
		if status, body := adminAPI(t, s, b, http.MethodGet, "/api/v1/admin/accounts/"+w.AccountID+"/audit", "", nil); status != http.StatusOK || len(body["events"].([]any)) == 0 {
			t.Fatalf("account audit: %d %v", status, body)
		}
		if status, body := adminAPI(t, s, b, http.MethodPost, "/api/v1/admin/explain", token, map[string]any{"account_id": w.AccountID, "right": "domain:read"}); status != http.StatusBadRequest {
			t.Fatalf("explain without sub: %d %v, want 400", status, body)
		}

		// Templates: create, replace, read, refuse, delete.
		tplURL := "/api/v1/admin/templates/dns-tech"
		tpl := map[string]any{"name_fr": "Technicien DNS", "name_en": "DNS technician", "rights": []string{"domain:dns"}}
		if status, body := adminAPI(t, s, b, http.MethodPut, tplURL, token, tpl); status != http.StatusCreated || body["id"] != "dns-tech" {
			t.Fatalf("create template: %d %v", status, body)
		}
		tpl["rights"] = []string{"domain:dns", "domain:read"}
		if status, body := adminAPI(t, s, b, http.MethodPut, tplURL, token, tpl); status != http.StatusOK || len(body["rights"].([]any)) != 2 {
			t.Fatalf("replace template: %d %v", status, body)
		}
		if status, body := adminAPI(t, s, b, http.MethodGet, tplURL, "", nil); status != http.StatusOK || body["name_en"] != "DNS technician" {
			t.Fatalf("get template: %d %v", status, body)
		}
		for _, bad := range []map[string]any{
			{"name_fr": "X", "name_en": "X", "rights": []string{"nope:x"}},
			{"name_fr": "X", "name_en": "X", "rights": []string{}},
			{"name_fr": "", "name_en": "X", "rights": []string{"domain:read"}},
			{"id": "other", "name_fr": "X", "name_en": "X", "rights": []string{"domain:read"}},
		} {
			if status, body := adminAPI(t, s, b, http.MethodPut, tplURL, token, bad); status != http.StatusBadRequest {
				t.Fatalf("PUT %v: %d %v, want 400", bad, status, body)
			}
		}
		if status, body := adminAPI(t, s, b, http.MethodGet, tplURL, "", nil); status != http.StatusOK || body["name_fr"] != "Technicien DNS" {
			t.Fatalf("a refused PUT changed the template: %v", body)
		}
		if status, _ := adminAPI(t, s, b, http.MethodDelete, tplURL, token, nil); status != http.StatusNoContent {
			t.Fatalf("delete template: %d", status)
		}
		if status, _ := adminAPI(t, s, b, http.MethodGet, tplURL, "", nil); status != http.StatusNotFound {
			t.Fatalf("deleted template: %d, want 404", status)
		}
		if status, _ := adminAPI(t, s, b, http.MethodDelete, tplURL, token, nil); status != http.StatusNotFound {
			t.Fatalf("deleting it twice: %d, want 404", status)
		}

		// A bearer token never speaks for an admin, even next to the cookie.
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/admin/templates", nil)
		req.Header.Set("Authorization", "Bearer whatever")
		resp, err := b.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bearer on the admin API: %d, want 401", resp.StatusCode)
		}
	})
}

// adminAPI calls the admin API with the browser's cookies; token is the
// CSRF token for state-changing calls, body a value to send as JSON (a
// string is sent as is).
func adminAPI(t *testing.T, s *sesametest.Instance, b *sesametest.Browser, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}
	resp, err := b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out
}

// adminCSRF returns a CSRF token of the browser's session, read from the
// form of a page.
func adminCSRF(t *testing.T, b *sesametest.Browser, path string) string {
	t.Helper()
	p := b.Get(path)
	f, ok := adminForm(t, p, "", "", "")
	if !ok || f.Get("csrf_token") == "" {
		t.Fatalf("no CSRF field on %s", path)
	}
	return f.Get("csrf_token")
}

// adminForm returns the values of the first form of p posting to action
// (any when empty) whose field has value (any form when field is empty).
func adminForm(t *testing.T, p sesametest.Page, action, field, value string) (url.Values, bool) {
	t.Helper()
	forms, err := sesametest.Forms(strings.NewReader(p.Body))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range forms {
		if (action == "" || f.Action == action) && (field == "" || f.Values.Get(field) == value) {
			return f.Values, true
		}
	}
	return nil, false
}

// adminFreshToken returns values with a CSRF token of the browser's
// current session.
func adminFreshToken(t *testing.T, b *sesametest.Browser, values url.Values) url.Values {
	t.Helper()
	out := url.Values{}
	for k, v := range values {
		out[k] = v
	}
	out.Set("csrf_token", adminCSRF(t, b, "/admin"))
	return out
}

// adminRules returns the stored rules of an account.
func adminRules(t *testing.T, s *sesametest.Instance, accountID string) []rbac.Rule {
	t.Helper()
	rules, err := s.Rights.Policies(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// adminAudited fails unless the account's trail holds a policy change
// with detail, recorded under the admin with the client's address.
func adminAudited(t *testing.T, s *sesametest.Instance, accountID, detail string) {
	t.Helper()
	events, err := audit.New(s.DB).List(context.Background(), accountID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Action == audit.PolicyChanged && strings.HasPrefix(e.Detail, detail+",") {
			if e.ActorEmail != adminEmail || e.ActorID == "" || e.IP == "" {
				t.Fatalf("policy change recorded as %+v, want the admin with an IP", e)
			}
			return
		}
	}
	t.Fatalf("no audit event %q in %+v", detail, events)
}

package panel

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/productkit/productkittest"
)

func TestPanelSignedOut(t *testing.T) {
	h := newHarness(t, "domain", 0)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(h.srv.URL + "/domains/example.cm")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fdomains%2Fexample.cm" {
		t.Fatalf("signed-out page: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = client.Get(h.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Se connecter") || !strings.Contains(string(body), `lang="fr"`) {
		t.Fatalf("landing: %d %s", resp.StatusCode, body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Fatalf("CSP = %q", csp)
	}
	if strings.Contains(string(body), "<script") || strings.Contains(string(body), "style=") {
		t.Fatal("page holds a script or an inline style")
	}
}

func TestDomainPanel(t *testing.T) {
	h := newHarness(t, "domain", -1) // no cache: every live decision is asked
	add := url.Values{"type": {"A"}, "name": {"shop"}, "value": {"192.0.2.50"}, "ttl": {"300"}}
	other := seed(testAccount).domains[1].Name

	tests := []struct {
		name                 string
		rights               []string
		list, view           int // status of GET /domains and GET /domains/example.cm
		editOwn, editOther   int // status of adding a record to example.cm / the other domain
		formEnabledOnOwn     bool
		wantListedOtherToo   bool
		wantActionsAllowedOn string
	}{
		{name: "no rights", rights: nil, list: 403, view: 403, editOwn: 403, editOther: 403},
		{name: "read only", rights: []string{"domain:read"}, list: 200, view: 200, editOwn: 403, editOther: 403, wantListedOtherToo: true},
		{name: "dns on one domain", rights: []string{"domain:read", "domain:dns:example.cm"}, list: 200, view: 200,
			editOwn: 303, editOther: 403, formEnabledOnOwn: true, wantListedOtherToo: true, wantActionsAllowedOn: "example.cm"},
		{name: "dns everywhere", rights: []string{"domain:read", "domain:dns"}, list: 200, view: 200,
			editOwn: 303, editOther: 303, formEnabledOnOwn: true, wantListedOtherToo: true},
		{name: "read narrowed to one domain", rights: []string{"domain:read:example.cm"}, list: 200, view: 200, editOwn: 403, editOther: 403},
	}
	for n, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := h.signIn("p"+string(rune('a'+n)), tt.rights...)
			status, body := b.get("/domains")
			if status != tt.list {
				t.Fatalf("GET /domains: %d, want %d", status, tt.list)
			}
			if status == 200 && strings.Contains(body, other) != tt.wantListedOtherToo {
				t.Fatalf("list shows %s: %v, want %v", other, !tt.wantListedOtherToo, tt.wantListedOtherToo)
			}
			status, body = b.get("/domains/example.cm")
			if status != tt.view {
				t.Fatalf("GET /domains/example.cm: %d, want %d", status, tt.view)
			}
			if status == 200 {
				disabled := strings.Contains(body, "<fieldset disabled>")
				if disabled == tt.formEnabledOnOwn {
					t.Fatalf("DNS form disabled = %v, want %v", disabled, !tt.formEnabledOnOwn)
				}
				if !tt.formEnabledOnOwn && !strings.Contains(body, "domain:dns:example.cm") {
					t.Fatal("the page does not say which right is missing")
				}
				if tt.wantActionsAllowedOn != "" && !strings.Contains(body, "Autorisé sur :") {
					t.Fatal("the actions panel does not show the narrowed right")
				}
			}
			before := len(h.records(tt.rights, "example.cm"))
			if status, body := b.post("/domains/example.cm/records", add); status != tt.editOwn {
				t.Fatalf("add to example.cm: %d, want %d; %s", status, tt.editOwn, body)
			}
			if after := len(h.records(tt.rights, "example.cm")); (after == before+1) != (tt.editOwn == 303) {
				t.Fatalf("records %d → %d after an add answered %d", before, after, tt.editOwn)
			}
			if status, _ := b.post("/domains/"+other+"/records", add); status != tt.editOther {
				t.Fatalf("add to %s: %d, want %d", other, status, tt.editOther)
			}
		})
	}
}

// TestDomainPanelLive removes a right at Sésame: the token still carries
// it, the check API no longer grants it, and the panel refuses at once.
func TestDomainPanelLive(t *testing.T) {
	h := newHarness(t, "domain", -1)
	b := h.signIn("alice", "domain:read", "domain:dns:example.cm")
	add := url.Values{"type": {"TXT"}, "name": {"@"}, "value": {"hello"}}
	if status, _ := b.post("/domains/example.cm/records", add); status != 303 {
		t.Fatalf("before removal: %d", status)
	}
	hits := h.fake.CheckHits()
	h.fake.SetRights("alice", "domain:read")
	if status, body := b.post("/domains/example.cm/records", add); status != 403 || !strings.Contains(body, "Accès refusé") {
		t.Fatalf("after removal: %d", status)
	}
	if h.fake.CheckHits() != hits+1 {
		t.Fatalf("check calls %d → %d, want one more", hits, h.fake.CheckHits())
	}
	if _, body := b.get("/domains/example.cm"); !strings.Contains(body, "<fieldset disabled>") {
		t.Fatal("form still enabled after removal")
	}
}

func TestDomainPanelInvalidInput(t *testing.T) {
	h := newHarness(t, "domain", 0)
	b := h.signIn("alice", "domain:read", "domain:dns")
	before := len(h.records(nil, "example.cm"))
	tests := []struct {
		name string
		form url.Values
		msg  string
	}{
		{"bad IPv4", url.Values{"type": {"A"}, "name": {"x"}, "value": {"999.1.1.1"}}, "adresse IPv4"},
		{"bad type", url.Values{"type": {"SRV"}, "name": {"x"}, "value": {"x"}}, "Type d&#39;enregistrement inconnu"},
		{"bad name", url.Values{"type": {"TXT"}, "name": {"<b>"}, "value": {"x"}}, "Le nom doit"},
		{"bad ttl", url.Values{"type": {"TXT"}, "name": {"x"}, "value": {"x"}, "ttl": {"5"}}, "Le TTL"},
		{"cname at apex", url.Values{"type": {"CNAME"}, "name": {"@"}, "value": {"x.example.cm."}}, "CNAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := b.post("/domains/example.cm/records", tt.form)
			if status != 400 || !strings.Contains(body, tt.msg) {
				t.Fatalf("%d, want 400 with %q", status, tt.msg)
			}
		})
	}
	if after := len(h.records(nil, "example.cm")); after != before {
		t.Fatalf("records %d → %d after invalid input", before, after)
	}
	if status, _ := b.post("/domains/nope.cm/records", url.Values{"type": {"TXT"}, "value": {"x"}}); status != 404 {
		t.Fatalf("unknown domain: %d, want 404", status)
	}
}

func TestPanelRefusesCrossSitePosts(t *testing.T) {
	h := newHarness(t, "domain", 0)
	b := h.signIn("alice", "domain:read", "domain:dns")
	req, _ := http.NewRequest("POST", h.srv.URL+"/domains/example.cm/records",
		strings.NewReader("type=TXT&name=x&value=evil"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if status, _ := b.do(req); status != 403 {
		t.Fatalf("cross-site post: %d, want 403", status)
	}
}

func TestServerPanel(t *testing.T) {
	h := newHarness(t, "server", 0)
	reader := h.signIn("reader", "server:read")
	status, body := reader.get("/servers")
	if status != 200 || !strings.Contains(body, "web-01") || !strings.Contains(body, `disabled title="server:operate"`) {
		t.Fatalf("reader's page: %d", status)
	}
	if status, _ := reader.post("/servers/web-01/reboot", nil); status != 403 {
		t.Fatalf("reader reboots: %d, want 403", status)
	}
	op := h.signIn("op", "server:read", "server:operate:web-01")
	if status, _ := op.post("/servers/web-01/reboot", nil); status != 303 {
		t.Fatalf("operator reboots web-01: %d, want 303", status)
	}
	if status, _ := op.post("/servers/backup-01/stop", nil); status != 403 {
		t.Fatalf("operator of web-01 stops backup-01: %d, want 403", status)
	}
	if status, _ := op.post("/servers/web-01/explode", nil); status != 404 {
		t.Fatalf("unknown operation: %d, want 404", status)
	}
	_, out := h.api("reader", "GET", "/api/servers", "")
	servers, _ := out["servers"].([]any)
	if len(servers) != 3 || servers[0].(map[string]any)["reboots"] != 1.0 {
		t.Fatalf("servers = %v", out)
	}
	if status, out := h.api("reader", "POST", "/api/servers/web-01/reboot", ""); status != 403 || out["error"] != "forbidden" {
		t.Fatalf("API reboot without the right: %d %v", status, out)
	}
	if status, out := h.api("op", "POST", "/api/servers/web-01/stop", ""); status != 200 || out["power"] != "off" {
		t.Fatalf("API stop: %d %v", status, out)
	}
}

func TestEmailPanel(t *testing.T) {
	h := newHarness(t, "email", 0)
	other := seed(testAccount).domains[1].Name
	reader := h.signIn("reader", "email:read")
	if status, _ := reader.post("/mailboxes", url.Values{"local": {"ventes"}, "domain": {"example.cm"}}); status != 403 {
		t.Fatalf("reader creates: %d, want 403", status)
	}
	if _, body := reader.get("/mailboxes"); !strings.Contains(body, "contact@example.cm") || !strings.Contains(body, "<fieldset disabled>") {
		t.Fatal("reader's page: list missing or form enabled")
	}
	mgr := h.signIn("mgr", "email:read", "email:manage:example.cm")
	if status, _ := mgr.post("/mailboxes", url.Values{"local": {"ventes"}, "domain": {"example.cm"}}); status != 303 {
		t.Fatalf("manager creates on example.cm: %d", status)
	}
	if status, _ := mgr.post("/mailboxes", url.Values{"local": {"ventes"}, "domain": {"example.cm"}}); status != 409 {
		t.Fatalf("duplicate: %d, want 409", status)
	}
	if status, _ := mgr.post("/mailboxes", url.Values{"local": {"ventes"}, "domain": {other}}); status != 403 {
		t.Fatalf("manager of example.cm creates on %s: %d, want 403", other, status)
	}
	if status, _ := mgr.post("/mailboxes/contact@example.cm/delete", nil); status != 303 {
		t.Fatalf("delete: %d", status)
	}
	_, out := h.api("reader", "GET", "/api/mailboxes", "")
	boxes, _ := json.Marshal(out["mailboxes"])
	if !strings.Contains(string(boxes), "ventes@example.cm") || strings.Contains(string(boxes), "contact@example.cm") {
		t.Fatalf("mailboxes = %s", boxes)
	}
	if status, _ := h.api("mgr", "PUT", "/api/mailboxes/bad..name@example.cm", ""); status != 400 {
		t.Fatalf("invalid address: %d, want 400", status)
	}
}

func TestPanelAPI(t *testing.T) {
	h := newHarness(t, "domain", 0)
	h.fake.AddPerson(productkittest.Person{Sub: "alice", AccountID: testAccount, Rights: []string{"domain:read", "domain:dns:example.cm"}})
	if status, out := h.api("", "GET", "/api/me", ""); status != 401 || out["error"] != "unauthorized" {
		t.Fatalf("no token: %d %v", status, out)
	}
	req, _ := http.NewRequest("GET", h.srv.URL+"/api/domains", nil)
	req.Header.Set("Authorization", "Bearer "+h.fake.IDToken("alice", h.id, ""))
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 {
		t.Fatalf("ID token: %d, want 401", resp.StatusCode)
	}
	if status, out := h.api("alice", "GET", "/api/me", ""); status != 200 || out["account_id"] != testAccount {
		t.Fatalf("me: %d %v", status, out)
	}
	rec := `{"type":"A","name":"api","value":"192.0.2.7","ttl":600}`
	if status, out := h.api("alice", "POST", "/api/domains/example.cm/records", rec); status != 201 || out["ttl"] != 600.0 {
		t.Fatalf("add: %d %v", status, out)
	}
	other := seed(testAccount).domains[1].Name
	if status, out := h.api("alice", "POST", "/api/domains/"+other+"/records", rec); status != 403 || out["right"] != "domain:dns" {
		t.Fatalf("add elsewhere: %d %v", status, out)
	}
	if status, out := h.api("alice", "POST", "/api/domains/example.cm/records", `{"type":"A","value":"x"}`); status != 400 || out["error"] != "invalid_request" {
		t.Fatalf("invalid: %d %v", status, out)
	}
	if status, _ := h.api("alice", "GET", "/api/servers", ""); status != 404 {
		t.Fatalf("another product's API: %d, want 404", status)
	}
}

func TestPanelEnglish(t *testing.T) {
	h := newHarness(t, "email", 0)
	b := h.signIn("alice", "email:read")
	req, _ := http.NewRequest("GET", h.srv.URL+"/mailboxes", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9,fr;q=0.5")
	status, body := b.do(req)
	if status != 200 || !strings.Contains(body, "Your mailboxes") || !strings.Contains(body, `lang="en"`) {
		t.Fatalf("English page: %d", status)
	}
}

func TestNewPanelConfig(t *testing.T) {
	good := Config{Product: "domain", PublicURL: "http://localhost:8081", Issuer: "http://localhost:8080", ClientID: "c", ClientSecret: "s"}
	if _, err := New(good); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for name, mutate := range map[string]func(*Config){
		"unknown product":  func(c *Config) { c.Product = "billing" },
		"relative URL":     func(c *Config) { c.PublicURL = "localhost:8081" },
		"URL with a path":  func(c *Config) { c.PublicURL = "http://localhost:8081/panel" },
		"no secret":        func(c *Config) { c.ClientSecret = "" },
		"bad issuer":       func(c *Config) { c.Issuer = "ftp://x" },
		"short cookie key": func(c *Config) { c.CookieSecret = []byte("short") },
	} {
		t.Run(name, func(t *testing.T) {
			c := good
			mutate(&c)
			if _, err := New(c); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

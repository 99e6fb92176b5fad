package productkit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/rights/rightstest"
)

func init() { gin.SetMode(gin.TestMode) }

func TestIdentityAllows(t *testing.T) {
	tests := []struct {
		name     string
		held     []string
		right    string
		resource string
		want     bool
	}{
		{name: "plain right covers any resource", held: []string{"domain:dns"}, right: "domain:dns", resource: "example.cm", want: true},
		{name: "plain right covers no resource", held: []string{"domain:dns"}, right: "domain:dns", want: true},
		{name: "narrowed right covers its resource", held: []string{"domain:dns:example.cm"}, right: "domain:dns", resource: "example.cm", want: true},
		{name: "narrowed right does not cover another resource", held: []string{"domain:dns:example.cm"}, right: "domain:dns", resource: "boutique.fr", want: false},
		{name: "narrowed right does not cover the whole product", held: []string{"domain:dns:example.cm"}, right: "domain:dns", want: false},
		{name: "resource is compared exactly", held: []string{"domain:dns:example.cm"}, right: "domain:dns", resource: "example.cm.evil", want: false},
		{name: "prefix of a resource is not the resource", held: []string{"domain:dns:example.cm"}, right: "domain:dns", resource: "example.c", want: false},
		{name: "other action", held: []string{"domain:read"}, right: "domain:dns", resource: "example.cm", want: false},
		{name: "other product", held: []string{"server:dns"}, right: "domain:dns", want: false},
		{name: "action is not a prefix match", held: []string{"domain:dnsx"}, right: "domain:dns", want: false},
		{name: "right naming its resource", held: []string{"domain:dns:example.cm"}, right: "domain:dns:example.cm", want: true},
		{name: "right naming another resource", held: []string{"domain:dns:example.cm"}, right: "domain:dns:boutique.fr", resource: "example.cm", want: false},
		{name: "resource with colons is malformed", held: []string{"server:operate:eu:web-01"}, right: "server:operate", resource: "eu:web-01", want: false},
		{name: "malformed held rights are ignored", held: []string{"domain", "domain:dns:", ":dns", "domain::x"}, right: "domain:dns", resource: "x", want: false},
		{name: "malformed asked right", held: []string{"domain:dns"}, right: "domain", want: false},
		{name: "no rights", right: "domain:read", want: false},
		{name: "one of several", held: []string{"email:read", "domain:dns:a.cm", "domain:dns:example.cm"}, right: "domain:dns", resource: "example.cm", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := Identity{Sub: "s", AccountID: "id1", Rights: tt.held}
			if got := id.Allows(tt.right, tt.resource); got != tt.want {
				t.Fatalf("Allows(%q, %q) with %v = %v, want %v", tt.right, tt.resource, tt.held, got, tt.want)
			}
		})
	}
}

// TestIdentityAllowsSharedCases runs the table that Sésame's check API
// (package rbac) runs too, so that a token and the check API never give
// different answers.
func TestIdentityAllowsSharedCases(t *testing.T) {
	for _, tt := range rightstest.Cases {
		t.Run(tt.Name, func(t *testing.T) {
			id := Identity{Sub: "s", AccountID: "id1", Rights: tt.Held}
			if got := id.Allows(tt.Right, tt.Resource); got != tt.Allowed {
				t.Fatalf("Allows(%q, %q) with %q = %v, want %v", tt.Right, tt.Resource, tt.Held, got, tt.Allowed)
			}
		})
	}
}

func TestIdentityAllowsAny(t *testing.T) {
	id := Identity{Rights: []string{"domain:read:example.cm", "email:manage"}}
	for right, want := range map[string]bool{"domain:read": true, "email:manage": true, "domain:dns": false, "email:read": false, "bad": false} {
		if got := id.AllowsAny(right); got != want {
			t.Errorf("AllowsAny(%q) = %v, want %v", right, got, want)
		}
	}
}

// TestRequireThroughGuard drives Require behind the Guard with real tokens:
// 401 and 403 bodies, narrowing from a path parameter.
func TestRequireThroughGuard(t *testing.T) {
	f := newFixture(t)
	g := f.guard(t)
	r := gin.New()
	api := r.Group("/api", g.Middleware())
	api.GET("/domains", Require("domain:read", AnyResource()), func(c *gin.Context) { c.String(200, "ok") })
	api.PUT("/domains/:domain/dns", Require("domain:dns", ResourceParam("domain")), func(c *gin.Context) { c.String(200, "ok") })
	api.POST("/servers/:server/reboot", Require("server:operate", ResourceParam("server")), func(c *gin.Context) { c.String(200, "ok") })

	alice := f.fake.AccessToken("alice", testClient, time.Hour) // domain:read, domain:dns:example.cm
	bob := f.fake.AccessToken("bob", testClient, time.Hour)     // domain:read
	tests := []struct {
		name, method, path, token string
		status                    int
		errCode                   string
	}{
		{name: "no token", method: "GET", path: "/api/domains", status: 401, errCode: "unauthorized"},
		{name: "invalid token", method: "GET", path: "/api/domains", token: "abc", status: 401, errCode: "unauthorized"},
		{name: "ID token", method: "GET", path: "/api/domains", token: f.fake.IDToken("alice", testClient, ""), status: 401, errCode: "unauthorized"},
		{name: "list with domain:read", method: "GET", path: "/api/domains", token: bob, status: 200},
		{name: "dns on the narrowed domain", method: "PUT", path: "/api/domains/example.cm/dns", token: alice, status: 200},
		{name: "dns on another domain", method: "PUT", path: "/api/domains/boutique.fr/dns", token: alice, status: 403, errCode: "forbidden"},
		{name: "dns without the right", method: "PUT", path: "/api/domains/example.cm/dns", token: bob, status: 403, errCode: "forbidden"},
		{name: "other product", method: "POST", path: "/api/servers/web-01/reboot", token: alice, status: 403, errCode: "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			if tt.errCode == "" {
				return
			}
			var body ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error != tt.errCode || body.Message == "" {
				t.Fatalf("body = %s, want error %q", w.Body, tt.errCode)
			}
			if tt.status == 401 && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("WWW-Authenticate = %q", w.Header().Get("WWW-Authenticate"))
			}
			if tt.status == 403 && body.Right == "" {
				t.Fatalf("403 body names no right: %s", w.Body)
			}
		})
	}
}

func TestRequireWithoutIdentity(t *testing.T) {
	r := gin.New()
	r.GET("/x", Require("domain:read"), func(c *gin.Context) { c.String(200, "ok") })
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", w.Code)
	}
}

func TestRequirePanicsOnProgrammingErrors(t *testing.T) {
	for name, f := range map[string]func(){
		"malformed right":      func() { Require("domain") },
		"live and any":         func() { Require("domain:read", AnyResource(), Live(&Checker{})) },
		"empty action (colon)": func() { Require("domain:") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

func TestLang(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "fr"},
		{"en", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"fr-CM,fr;q=0.9,en;q=0.8", "fr"},
		{"en;q=0.5,fr;q=0.8", "fr"},
		{"de,en;q=0.7", "en"},
		{"de", "fr"},
		{"en;q=0", "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := langOf(tt.header); got != tt.want {
				t.Fatalf("langOf(%q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

package layout_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/sesame-idp/sesame/"

// allowed lists, for every package of the module, the packages of the
// module it may import (tests excluded). A package missing from the table
// fails the test: adding one means deciding where it sits.
var allowed = map[string][]string{
	// Leaves: embedded assets and helpers that import nothing of Sésame.
	"migrations":         nil,
	"templates":          nil,
	"policies":           nil,
	"secret":             nil,
	"rights":             nil,
	"rights/rightstest":  {"rights"},
	"internal/layout":    nil,
	"i18n":               {"templates"},
	"internal/testclock": nil,
	"metrics":            nil, // fed by web, wired by app
	"internal/container": nil,

	"db":      {"migrations"},
	"audit":   {"db"},
	"account": {"audit", "db"},
	"rbac":    {"audit", "db", "policies", "rights"},
	"mail":    {"db", "i18n", "internal/lease", "templates"},

	"internal/lease": {"db"},
	"events":         {"db", "internal/lease"},

	"oauth/sqlstore": {"db", "rights"},
	"oauth":          {"db", "oauth/sqlstore", "secret"}, // not rbac: app wires an interface

	"members": {"account", "audit", "db", "i18n", "internal/lease", "mail", "rbac", "rights"},
	"web": {"account", "audit", "db", "events", "i18n", "mail", "members", "oauth", "oauth/sqlstore", "rbac",
		"rights", "secret", "templates", "metrics"},
	"app": {"account", "audit", "db", "events", "i18n", "mail", "members", "oauth", "oauth/sqlstore", "rbac",
		"secret", "web", "metrics"},
	"cmd/sesame": {"app", "account", "cmd/demo-product/panel", "db", "events", "i18n", "members", "oauth",
		"oauth/sqlstore", "rbac", "rights", "secret"},

	// What products import: nothing of the server side.
	"productkit":                {"rights"},
	"productkit/productkittest": {"productkit", "rights"},
	"cmd/demo-product":          {"cmd/demo-product/panel"},
	"cmd/demo-product/panel":    {"productkit", "rights"},

	// Test support.
	"db/dbtest":            {"db", "migrations"},
	"internal/testcrypto":  {"account"},
	"internal/testpasskey": nil,
	"mail/mailtest":        nil,
	"sesametest":           {"app", "db", "db/dbtest", "internal/testcrypto", "mail/mailtest", "oauth/sqlstore"},
	"e2e":                  nil,
	"e2e/browser":          nil,
	"e2e/conformance":      nil,
}

func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		seen[pkg] = true
		rule, ok := allowed[pkg]
		if !ok {
			t.Errorf("package %s has no import rule: add it to the table (and say it in its doc.go)", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			dep, own := strings.CutPrefix(imp, module)
			if own && !slices.Contains(rule, dep) {
				t.Errorf("%s imports %s, which its rules forbid", pkg, dep)
			}
		}
	}
	for pkg := range allowed {
		if !seen[pkg] {
			t.Errorf("the table names %s, which no longer exists", pkg)
		}
	}
}

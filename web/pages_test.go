package web

import (
	"strings"
	"testing"
)

// TestPagesLoad parses every page and checks that every message a page
// names exists in French and English.
func TestPagesLoad(t *testing.T) {
	p, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.messages["fr"]) == 0 || len(p.messages["fr"]) != len(p.messages["en"]) {
		t.Fatalf("messages: %d French, %d English", len(p.messages["fr"]), len(p.messages["en"]))
	}
}

// TestPagesRenderPartials renders the pages that share the new-password
// fields, so that a partial missing from the set fails here.
func TestPagesRenderPartials(t *testing.T) {
	p, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]any{
		"invitation":     setPasswordView{Token: "t"},
		"password":       changePasswordView{},
		"reset_password": resetView{Token: "t"},
	} {
		var buf strings.Builder
		if err := p.byName[name].Execute(&buf, view{Lang: "fr", L: p.messages["fr"], Data: data}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(buf.String(), `name="password_confirm"`) {
			t.Fatalf("%s lacks the new-password fields", name)
		}
	}
}

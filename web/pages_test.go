package web

import "testing"

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

package rbac

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRight(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Right
		wantErr error
	}{
		{name: "whole right", in: "domain:dns", want: Right{Product: "domain", Action: "dns"}},
		{name: "narrowed right", in: "domain:dns:example.cm", want: Right{Product: "domain", Action: "dns", Resource: "example.cm"}},
		{name: "resource lower-cased", in: "server:operate:VPS-12.Example.CM", want: Right{Product: "server", Action: "operate", Resource: "vps-12.example.cm"}},
		{name: "punycode resource", in: "domain:read:xn--caf-dma.cm", want: Right{Product: "domain", Action: "read", Resource: "xn--caf-dma.cm"}},
		{name: "unknown action", in: "domain:delete", wantErr: ErrUnknownRight},
		{name: "unknown product", in: "printer:read", wantErr: ErrUnknownRight},
		{name: "no action", in: "domain", wantErr: ErrInvalidRight},
		{name: "empty", in: "", wantErr: ErrInvalidRight},
		{name: "empty action", in: "domain:", wantErr: ErrInvalidRight},
		{name: "empty resource", in: "domain:dns:", wantErr: ErrInvalidRight},
		{name: "wildcard resource", in: "domain:dns:*", wantErr: ErrInvalidRight},
		{name: "resource with colon", in: "domain:dns:a:b", wantErr: ErrInvalidRight},
		{name: "resource with space", in: "domain:dns:exa mple.cm", wantErr: ErrInvalidRight},
		{name: "resource with empty label", in: "domain:dns:example..cm", wantErr: ErrInvalidRight},
		{name: "resource label with leading dash", in: "domain:dns:-x.cm", wantErr: ErrInvalidRight},
		{name: "resource too long", in: "domain:dns:" + strings.Repeat("a.", 127) + "cm", wantErr: ErrInvalidRight},
		{name: "label too long", in: "domain:dns:" + strings.Repeat("a", 64) + ".cm", wantErr: ErrInvalidRight},
		{name: "unicode resource in punycode", in: "domain:dns:Café.cm", want: Right{Product: "domain", Action: "dns", Resource: "xn--caf-dma.cm"}},
		{name: "trailing dot dropped", in: "domain:dns:example.cm.", want: Right{Product: "domain", Action: "dns", Resource: "example.cm"}},
		{name: "upper-case right", in: "Domain:DNS", wantErr: ErrInvalidRight},
		{name: "billing cannot be narrowed", in: "billing:pay:inv-1", wantErr: ErrInvalidRight},
		{name: "wildcard right", in: "*", wantErr: ErrInvalidRight},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRight(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ParseRight(%q) = %v, %v; want error %v", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRight(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if again, err := ParseRight(got.String()); err != nil || again != got {
				t.Fatalf("round trip of %q: %v, %v", got.String(), again, err)
			}
		})
	}
}

func TestCatalog(t *testing.T) {
	want := strings.Fields("domain:read domain:dns domain:manage server:read server:operate server:manage email:read email:manage billing:read billing:pay members:manage")
	got := Catalog()
	if len(got) != len(want) {
		t.Fatalf("catalog has %d rights, want %d", len(got), len(want))
	}
	for i, c := range got {
		if c.Right != want[i] {
			t.Errorf("catalog[%d] = %s, want %s", i, c.Right, want[i])
		}
		if c.Label("fr") == c.Right || c.Label("en") == c.Right || c.Label("fr") == c.Label("en") && c.Group != "email" {
			t.Errorf("%s: labels fr=%q en=%q", c.Right, c.Label("fr"), c.Label("en"))
		}
	}
	labels := []struct {
		name, lang, want string
		label            func(CatalogRight) func(string) string
	}{
		{name: "french group", lang: "fr", want: "Comptes de connexion", label: func(c CatalogRight) func(string) string { return c.GroupLabel }},
		{name: "english group", lang: "en", want: "Login accounts", label: func(c CatalogRight) func(string) string { return c.GroupLabel }},
		{name: "regional english", lang: "en-GB", want: "Manage login accounts", label: func(c CatalogRight) func(string) string { return c.Label }},
		{name: "unknown language falls back to French", lang: "de", want: "Gérer les comptes de connexion", label: func(c CatalogRight) func(string) string { return c.Label }},
	}
	members := got[len(got)-1]
	for _, tt := range labels {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.label(members)(tt.lang); got != tt.want {
				t.Fatalf("label(%s) = %q, want %q", tt.lang, got, tt.want)
			}
		})
	}
}

func TestParseCatalogRejects(t *testing.T) {
	tests := []struct{ name, json string }{
		{name: "not json", json: `{`},
		{name: "right without action", json: `{"groups":[{"id":"g","labels":{"fr":"G","en":"G"}}],"rights":[{"right":"x","group":"g","labels":{"fr":"a","en":"b"}}]}`},
		{name: "unknown group", json: `{"groups":[],"rights":[{"right":"x:y","group":"g","labels":{"fr":"a","en":"b"}}]}`},
		{name: "missing label", json: `{"groups":[{"id":"g","labels":{"fr":"G","en":"G"}}],"rights":[{"right":"x:y","group":"g","labels":{"fr":"a"}}]}`},
		{name: "duplicate", json: `{"groups":[{"id":"g","labels":{"fr":"G","en":"G"}}],"rights":[{"right":"x:y","group":"g","labels":{"fr":"a","en":"b"}},{"right":"x:y","group":"g","labels":{"fr":"a","en":"b"}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseCatalog([]byte(tt.json)); err == nil {
				t.Fatal("parseCatalog accepted it")
			}
		})
	}
}

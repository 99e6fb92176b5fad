package rights_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/rights"
	"github.com/sesame-idp/sesame/rights/rightstest"
)

func TestAllowsSharedCases(t *testing.T) {
	for _, tt := range rightstest.Cases {
		t.Run(tt.Name, func(t *testing.T) {
			if got := rights.Allows(tt.Held, tt.Right, tt.Resource); got != tt.Allowed {
				t.Fatalf("Allows(%q, %q, %q) = %v, want %v", tt.Held, tt.Right, tt.Resource, got, tt.Allowed)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    rights.Right
		wantErr error
	}{
		{name: "whole right", in: "domain:dns", want: rights.Right{Product: "domain", Action: "dns"}},
		{name: "narrowed right", in: "domain:dns:example.cm", want: rights.Right{Product: "domain", Action: "dns", Resource: "example.cm"}},
		{name: "resource lower-cased", in: "server:operate:VPS-12.Example.CM", want: rights.Right{Product: "server", Action: "operate", Resource: "vps-12.example.cm"}},
		{name: "trailing dot dropped", in: "domain:dns:example.cm.", want: rights.Right{Product: "domain", Action: "dns", Resource: "example.cm"}},
		{name: "unicode resource in punycode", in: "domain:read:CAFÉ.cm", want: rights.Right{Product: "domain", Action: "read", Resource: "xn--caf-dma.cm"}},
		{name: "ideographic full stop", in: "domain:read:café。cm", want: rights.Right{Product: "domain", Action: "read", Resource: "xn--caf-dma.cm"}},
		{name: "punycode resource", in: "domain:read:xn--caf-dma.cm", want: rights.Right{Product: "domain", Action: "read", Resource: "xn--caf-dma.cm"}},
		{name: "not in any catalog yet well formed", in: "printer:read", want: rights.Right{Product: "printer", Action: "read"}},
		{name: "no action", in: "domain", wantErr: rights.ErrInvalidRight},
		{name: "empty", in: "", wantErr: rights.ErrInvalidRight},
		{name: "empty action", in: "domain:", wantErr: rights.ErrInvalidRight},
		{name: "upper-case product", in: "Domain:dns", wantErr: rights.ErrInvalidRight},
		{name: "wildcard action", in: "domain:*", wantErr: rights.ErrInvalidRight},
		{name: "over-long action", in: "domain:" + strings.Repeat("a", rights.MaxNameLen+1), wantErr: rights.ErrInvalidRight},
		{name: "empty resource", in: "domain:dns:", wantErr: rights.ErrInvalidResource},
		{name: "wildcard resource", in: "domain:dns:*", wantErr: rights.ErrInvalidResource},
		{name: "resource with colon", in: "domain:dns:a:b", wantErr: rights.ErrInvalidResource},
		{name: "resource too long", in: "domain:dns:" + strings.Repeat("a.", 127) + "cm", wantErr: rights.ErrInvalidResource},
		{name: "resource far too long", in: "domain:dns:" + strings.Repeat("é", 2000), wantErr: rights.ErrInvalidResource},
		{name: "label too long", in: "domain:dns:" + strings.Repeat("a", 64) + ".cm", wantErr: rights.ErrInvalidResource},
		{name: "label ending with a dash", in: "domain:dns:x-.cm", wantErr: rights.ErrInvalidResource},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rights.Parse(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Parse(%q) = %v, %v; want error %v", tt.in, got, err, tt.wantErr)
				}
				if !strings.HasPrefix(tt.wantErr.Error(), "rights: ") {
					t.Fatalf("sentinel %q lacks the package prefix", tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if again, err := rights.Parse(got.String()); err != nil || again != got {
				t.Fatalf("round trip of %q: %v, %v", got.String(), again, err)
			}
		})
	}
}

func TestRequestMismatch(t *testing.T) {
	if _, err := rights.Request("domain:dns:example.cm", "example.org"); !errors.Is(err, rights.ErrResourceMismatch) {
		t.Fatalf("err = %v, want ErrResourceMismatch", err)
	}
	got, err := rights.Request("domain:dns", "Example.CM.")
	if err != nil || got.String() != "domain:dns:example.cm" {
		t.Fatalf("Request = %v, %v", got, err)
	}
}

func TestAllowsAny(t *testing.T) {
	held := []string{"domain:dns:example.cm", "server:read"}
	for right, want := range map[string]bool{"domain:dns": true, "server:read": true, "domain:read": false, "domain:*": false, "": false} {
		if got := rights.AllowsAny(held, right); got != want {
			t.Errorf("AllowsAny(%q) = %v, want %v", right, got, want)
		}
	}
}

func TestCheckProduct(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"product", "server", true},
		{"with dash and digit", "email-2", true},
		{"empty", "", false},
		{"upper case", "Server", false},
		{"a right, not a product", "server:read", false},
		{"too long", strings.Repeat("a", rights.MaxNameLen+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rights.CheckProduct(tt.in)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, rights.ErrInvalidRight)) {
				t.Fatalf("CheckProduct(%q) = %v, want ok %v", tt.in, err, tt.ok)
			}
		})
	}
}

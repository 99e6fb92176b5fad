package panel

import (
	"errors"
	"reflect"
	"testing"
)

func TestRecordCheck(t *testing.T) {
	tests := []struct {
		name string
		in   recordInput
		want Record
		err  string // key of the refusal, "" when accepted
	}{
		{name: "A", in: recordInput{Type: "a", Name: "Shop", Value: " 192.0.2.1 "}, want: Record{Type: "A", Name: "shop", Value: "192.0.2.1", TTL: 3600}},
		{name: "A at apex, form TTL", in: recordInput{Type: "A", Value: "192.0.2.1", TTL: "300"}, want: Record{Type: "A", Name: "@", Value: "192.0.2.1", TTL: 300}},
		{name: "AAAA, API TTL", in: recordInput{Type: "AAAA", Name: "v6", Value: "2001:db8::1", TTLn: 600}, want: Record{Type: "AAAA", Name: "v6", Value: "2001:db8::1", TTL: 600}},
		{name: "MX", in: recordInput{Type: "MX", Value: "10 mail.example.cm."}, want: Record{Type: "MX", Name: "@", Value: "10 mail.example.cm.", TTL: 3600}},
		{name: "TXT on _dmarc", in: recordInput{Type: "TXT", Name: "_dmarc", Value: "v=DMARC1; p=none"}, want: Record{Type: "TXT", Name: "_dmarc", Value: "v=DMARC1; p=none", TTL: 3600}},
		{name: "IPv6 in an A", in: recordInput{Type: "A", Value: "2001:db8::1"}, err: "err_value_a"},
		{name: "IPv4 in an AAAA", in: recordInput{Type: "AAAA", Value: "192.0.2.1"}, err: "err_value_aaaa"},
		{name: "mapped IPv4 in an AAAA", in: recordInput{Type: "AAAA", Value: "::ffff:192.0.2.1"}, err: "err_value_aaaa"},
		{name: "CNAME to a bad host", in: recordInput{Type: "CNAME", Name: "www", Value: "bad_host"}, err: "err_value_host"},
		{name: "MX without priority", in: recordInput{Type: "MX", Value: "mail.example.cm."}, err: "err_value_mx"},
		{name: "MX priority too high", in: recordInput{Type: "MX", Value: "70000 mail.example.cm."}, err: "err_value_mx"},
		{name: "TXT with a newline", in: recordInput{Type: "TXT", Value: "a\nb"}, err: "err_value_txt"},
		{name: "TXT too long", in: recordInput{Type: "TXT", Value: string(make([]byte, 256))}, err: "err_value_txt"},
		{name: "name with a space", in: recordInput{Type: "TXT", Name: "a b", Value: "x"}, err: "err_name"},
		{name: "label starting with a hyphen", in: recordInput{Type: "TXT", Name: "-a", Value: "x"}, err: "err_name"},
		{name: "TTL too small", in: recordInput{Type: "TXT", Value: "x", TTL: "59"}, err: "err_ttl"},
		{name: "TTL not a number", in: recordInput{Type: "TXT", Value: "x", TTL: "1h"}, err: "err_ttl"},
		{name: "unknown type", in: recordInput{Type: "SRV", Value: "x"}, err: "err_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.check()
			var in *inputError
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("check: %v", err)
			case tt.err == "" && got != tt.want:
				t.Fatalf("check = %+v, want %+v", got, tt.want)
			case tt.err != "" && (!errors.As(err, &in) || in.Key != tt.err):
				t.Fatalf("check error = %v, want %s", err, tt.err)
			}
		})
	}
}

func TestCheckAddress(t *testing.T) {
	tests := []struct {
		local, domain, want, err string
	}{
		{"Ventes", "Example.CM", "ventes@example.cm", ""},
		{"first.last+tag", "example.cm", "first.last+tag@example.cm", ""},
		{"", "example.cm", "", "err_local"},
		{".a", "example.cm", "", "err_local"},
		{"a..b", "example.cm", "", "err_local"},
		{"a@b", "example.cm", "", "err_local"},
		{"a", "exa mple.cm", "", "err_domain"},
	}
	for _, tt := range tests {
		t.Run(tt.local+"@"+tt.domain, func(t *testing.T) {
			got, err := checkAddress(tt.local, tt.domain)
			var in *inputError
			if tt.err == "" && (err != nil || got != tt.want) {
				t.Fatalf("checkAddress = %q, %v; want %q", got, err, tt.want)
			}
			if tt.err != "" && (!errors.As(err, &in) || in.Key != tt.err) {
				t.Fatalf("checkAddress error = %v, want %s", err, tt.err)
			}
		})
	}
}

// TestSeed: the same account always gets the same resources, with the
// fixed ones end-to-end tests rely on; another account gets others.
func TestSeed(t *testing.T) {
	a, b := seed("id482913"), seed("id482913")
	if !reflect.DeepEqual(a, b) {
		t.Fatal("seed is not deterministic")
	}
	if a.domains[0].Name != "example.cm" || a.servers[0].Name != "web-01" || a.mailboxes[0].Address != "contact@example.cm" {
		t.Fatalf("fixed resources missing: %s %s %s", a.domains[0].Name, a.servers[0].Name, a.mailboxes[0].Address)
	}
	if len(a.domains) != 3 || len(a.servers) != 3 || len(a.mailboxes) != 3 {
		t.Fatalf("counts %d %d %d", len(a.domains), len(a.servers), len(a.mailboxes))
	}
	if c := seed("id100001"); reflect.DeepEqual(a.domains, c.domains) {
		t.Fatal("two accounts got the same domains")
	}
	for _, d := range a.domains {
		for _, r := range d.Records {
			if _, err := (recordInput{Type: r.Type, Name: r.Name, Value: r.Value, TTLn: r.TTL}).check(); err != nil {
				t.Fatalf("seeded record %+v does not pass the panel's own checks: %v", r, err)
			}
		}
	}
}

package panel

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode"
)

// inputError is a refusal of what a person typed; Key names the message
// shown (see texts).
type inputError struct{ Key string }

func (e *inputError) Error() string { return "demo: invalid input: " + e.Key }

// recordInput is a DNS record as typed in the form or sent to the API.
type recordInput struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
	TTL   string `json:"-"`   // as typed in the form
	TTLn  int    `json:"ttl"` // as sent to the API
}

// recordTypes are the record types the panel edits.
var recordTypes = []string{"A", "AAAA", "CNAME", "MX", "TXT"}

// check returns the record to store, or an *inputError.
func (in recordInput) check() (Record, error) {
	r := Record{
		Type:  strings.ToUpper(strings.TrimSpace(in.Type)),
		Name:  strings.ToLower(strings.TrimSpace(in.Name)),
		Value: strings.TrimSpace(in.Value),
		TTL:   in.TTLn,
	}
	if s := strings.TrimSpace(in.TTL); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return Record{}, &inputError{"err_ttl"}
		}
		r.TTL = n
	}
	if r.TTL == 0 {
		r.TTL = 3600
	}
	if r.TTL < 60 || r.TTL > 86400 {
		return Record{}, &inputError{"err_ttl"}
	}
	if r.Name == "" {
		r.Name = "@"
	}
	if r.Name != "@" && !isHostname(r.Name, true) {
		return Record{}, &inputError{"err_name"}
	}
	switch r.Type {
	case "A":
		if a, err := netip.ParseAddr(r.Value); err != nil || !a.Is4() {
			return Record{}, &inputError{"err_value_a"}
		}
	case "AAAA":
		if a, err := netip.ParseAddr(r.Value); err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
			return Record{}, &inputError{"err_value_aaaa"}
		}
	case "CNAME":
		if !isHostname(strings.TrimSuffix(r.Value, "."), false) {
			return Record{}, &inputError{"err_value_host"}
		}
		if r.Name == "@" {
			return Record{}, &inputError{"err_cname_apex"}
		}
	case "MX":
		prio, host, ok := strings.Cut(r.Value, " ")
		n, err := strconv.Atoi(prio)
		if !ok || err != nil || n < 0 || n > 65535 || !isHostname(strings.TrimSuffix(strings.TrimSpace(host), "."), false) {
			return Record{}, &inputError{"err_value_mx"}
		}
	case "TXT":
		if r.Value == "" || len(r.Value) > 255 || strings.IndexFunc(r.Value, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
			return Record{}, &inputError{"err_value_txt"}
		}
	default:
		return Record{}, &inputError{"err_type"}
	}
	return r, nil
}

// isHostname reports whether s is a DNS name of lower-case labels;
// underscore labels (_dmarc) are allowed for record names only.
func isHostname(s string, underscore bool) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			ok := (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (underscore && c == '_')
			if !ok {
				return false
			}
		}
	}
	return true
}

// checkAddress returns the mailbox address local@domain, or an
// *inputError.
func checkAddress(local, domain string) (string, error) {
	local = strings.ToLower(strings.TrimSpace(local))
	if local == "" || len(local) > 64 || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "", &inputError{"err_local"}
	}
	for _, c := range local {
		if !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '+') {
			return "", &inputError{"err_local"}
		}
	}
	domain = strings.ToLower(strings.TrimSpace(domain))
	if !isHostname(domain, false) {
		return "", &inputError{"err_domain"}
	}
	return local + "@" + domain, nil
}

package account

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func TestNormalizeAccountID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", "id482913", "id482913", true},
		{"upper case and spaces", " ID482913 ", "id482913", true},
		{"mixed case", "Id482913", "id482913", true},
		{"ten digits", "id1234567890", "id1234567890", true},
		{"leading zero", "id012345", "id012345", true},
		{"five digits", "id12345", "", false},
		{"eleven digits", "id12345678901", "", false},
		{"no prefix", "482913", "", false},
		{"letter among digits", "id48a913", "", false},
		{"inner space", "id 482913", "", false},
		{"unicode digits", "id٤٨٢٩١٣", "", false},
		{"empty", "", "", false},
		{"sign", "id+48291", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NormalizeAccountID(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("NormalizeAccountID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "jean@example.com", "jean@example.com"},
		{"case and spaces", "  Jean.Dupont@Example.COM ", "jean.dupont@example.com"},
		{"plus tag", "jean+dns@example.cm", "jean+dns@example.cm"},
		{"subdomain", "a@mail.example.co.uk", "a@mail.example.co.uk"},
		{"unicode", "Élodie@Exemple.fr", "élodie@exemple.fr"},
		{"idn domain", "contact@café.fr", "contact@café.fr"},
		{"empty", "", ""},
		{"no at", "jean.example.com", ""},
		{"two ats", "jean@dupont@example.com", ""},
		{"display name", "Jean <jean@example.com>", ""},
		{"angle brackets", "<jean@example.com>", ""},
		{"quoted local part", `"jean dupont"@example.com`, ""},
		{"inner space", "jean dupont@example.com", ""},
		{"no domain dot", "jean@localhost", ""},
		{"empty label", "jean@example..com", ""},
		{"leading hyphen", "jean@-example.com", ""},
		{"numeric tld", "jean@10.0.0.1", ""},
		{"domain literal", "jean@[10.0.0.1]", ""},
		{"underscore in domain", "jean@exa_mple.com", ""},
		{"comment", "jean@example.com (Jean)", ""},
		{"newline", "jean@example.com\nBcc: x@y.z", ""},
		{"local part too long", strings.Repeat("a", 65) + "@example.com", ""},
		{"too long", strings.Repeat("a", 60) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + ".com", ""},
		{"no local part", "@example.com", ""},
		// Characters that do not show, or that reorder what shows.
		{"zero-width space", "jean\u200b@example.com", ""},
		{"zero-width non-joiner", "je\u200can@example.com", ""},
		{"zero-width joiner", "jean\u200d@example.com", ""},
		{"word joiner", "jean\u2060@example.com", ""},
		{"byte order mark", "\ufeffjean@example.com", ""},
		{"soft hyphen", "je\u00adan@example.com", ""},
		{"right-to-left override", "jean\u202e@example.com", ""},
		{"left-to-right override", "\u202djean@example.com", ""},
		{"right-to-left embedding", "jean\u202b@example.com", ""},
		{"pop directional formatting", "jean\u202c@example.com", ""},
		{"right-to-left mark", "jean\u200f@example.com", ""},
		{"left-to-right mark", "jean\u200e@example.com", ""},
		{"arabic letter mark", "jean\u061c@example.com", ""},
		{"right-to-left isolate", "\u2067jean\u2069@example.com", ""},
		{"first strong isolate", "\u2068jean@example.com", ""},
		{"tag character", "jean\U000e0041@example.com", ""},
		{"variation selector", "jean\ufe0f@example.com", ""},
		{"combining grapheme joiner", "jean\u034f@example.com", ""},
		{"hangul filler", "jean\u3164@example.com", ""},
		{"braille blank", "jean\u2800@example.com", ""},
		{"private use", "jean\ue000@example.com", ""},
		{"unassigned", "jean\U0002fffe@example.com", ""},
		{"delete control", "jean\u007f@example.com", ""},
		{"C1 control", "jean\u0085@example.com", ""},
		{"no-break space", "jean\u00a0@example.com", ""},
		{"ideographic space", "jean\u3000@example.com", ""},
		{"combining accent stays", "e\u0301lodie@example.fr", "e\u0301lodie@example.fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeEmail(tt.in)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalidEmail) {
					t.Errorf("NormalizeEmail(%q) = %q, %v; want ErrInvalidEmail", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestRandomIDs(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		id := randomID("m_")
		if len(id) != 22 || !strings.HasPrefix(id, "m_") || strings.Trim(id[2:], "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Fatalf("randomID = %q, want m_ and 20 base32 characters", id)
		}
		if seen[id] {
			t.Fatalf("randomID repeated %q", id)
		}
		seen[id] = true
	}
	for width := accountIDMinDigits; width <= accountIDMaxDigits; width++ {
		id, err := randomAccountID(rand.Reader, width)
		if err != nil {
			t.Fatal(err)
		}
		if norm, ok := NormalizeAccountID(id); !ok || norm != id || len(id) != 2+width || id[2] == '0' {
			t.Errorf("randomAccountID(%d) = %q, want id and %d digits, the first non-zero", width, id, width)
		}
	}
}

package conformance_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// jwtHeader and jwtClaims decode the header and the claims of a compact JWT.
func jwtHeader(t *testing.T, raw string) map[string]any { return jwtPart(t, raw, 0) }
func jwtClaims(t *testing.T, raw string) map[string]any { return jwtPart(t, raw, 1) }

func jwtPart(t *testing.T, raw string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("JWT part %d: %v", i, err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("JWT part %d: %v", i, err)
	}
	return out
}

// checkASCII fails when s holds a character RFC 6749 (§4.1.2.1, §5.2)
// does not allow in error_description and error_uri: only %x20-21,
// %x23-5B and %x5D-7E.
func checkASCII(t *testing.T, what, s string) {
	t.Helper()
	for i, r := range s {
		if !(r == 0x20 || r == 0x21 || (r >= 0x23 && r <= 0x5B) || (r >= 0x5D && r <= 0x7E)) {
			t.Errorf("%s holds %q at %d, outside %%x20-21 / %%x23-5B / %%x5D-7E: %q", what, r, i, s)
			return
		}
	}
}

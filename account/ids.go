package account

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"math/big"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of an account ID: "id" followed by this many digits.
const (
	accountIDMinDigits = 6
	accountIDMaxDigits = 10
	maxEmailLen        = 254
	maxLocalPartLen    = 64
)

// NormalizeAccountID trims and lower-cases s ("ID482913 " becomes
// "id482913") and reports whether the result is a well-formed account ID:
// "id" followed by 6 to 10 digits.
func NormalizeAccountID(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.HasPrefix(s, "id") {
		return "", false
	}
	digits := s[2:]
	if len(digits) < accountIDMinDigits || len(digits) > accountIDMaxDigits {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	return s, true
}

// NormalizeEmail trims and lower-cases an email address, local part
// included (Sésame treats addresses case-insensitively), and checks it: a
// bare address as net/mail parses it (no display name, no angle brackets,
// no quoted local part), one '@', at most 254 bytes, and a domain of at
// least two dot-separated labels of letters, digits and hyphens, and no
// character that does not show (see invisible): an address must read as it
// is. It returns ErrInvalidEmail otherwise.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > maxEmailLen || !utf8.ValidString(s) || strings.Count(s, "@") != 1 {
		return "", ErrInvalidEmail
	}
	for _, r := range s {
		if unicode.IsSpace(r) || invisible(r) {
			return "", ErrInvalidEmail
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", ErrInvalidEmail
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || len(local) > maxLocalPartLen || !validDomain(domain) {
		return "", ErrInvalidEmail
	}
	return s, nil
}

// validDomain checks a lower-cased domain name: two labels or more, each of
// 1 to 63 bytes of letters (any script), digits and inner hyphens, and a
// top-level label that is not all digits.
func validDomain(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return strings.IndexFunc(tld, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0
}

// randomAccountID draws "id" followed by digits random digits, the first
// one non-zero so that IDs of one width never look shorter.
func randomAccountID(r io.Reader, digits int) (string, error) {
	lo := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits-1)), nil)
	span := new(big.Int).Mul(lo, big.NewInt(9))
	n, err := rand.Int(r, span)
	if err != nil {
		return "", fmt.Errorf("account: random account ID: %w", err)
	}
	return "id" + n.Add(n, lo).String(), nil
}

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// randomID returns prefix followed by 20 base32 characters (100 random
// bits), e.g. "m_k3q…": identifiers that reveal neither order nor count.
func randomID(prefix string) string {
	var b [13]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather)
	return prefix + lowerBase32.EncodeToString(b[:])[:20]
}

package rights

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// Limits of a resource name, those of a DNS name.
const (
	MaxResourceLen = 253
	MaxLabelLen    = 63
)

// NormalizeResource returns the canonical form of a resource name, or an
// error wrapping ErrInvalidResource. Resources are DNS-like names
// (domains, server names) compared case-insensitively: the canonical form
// is lower case, without the trailing dot of an absolute name, with
// internationalized labels in punycode ("Café.CM." → "xn--caf-dma.cm").
// Labels hold letters, digits, '-' (not first nor last) and '_', at most 63
// characters; the name at most 253. A wildcard is not a resource: a right
// on every resource is written without one.
func NormalizeResource(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty resource", ErrInvalidResource)
	}
	if len(s) > 4*MaxResourceLen {
		return "", fmt.Errorf("%w: resource longer than %d characters", ErrInvalidResource, MaxResourceLen)
	}
	s, err := toASCII(s)
	if err != nil {
		return "", err
	}
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if len(s) > MaxResourceLen {
		return "", fmt.Errorf("%w: resource longer than %d characters", ErrInvalidResource, MaxResourceLen)
	}
	for label := range strings.SplitSeq(s, ".") {
		if err := checkLabel(s, label); err != nil {
			return "", err
		}
	}
	return s, nil
}

// toASCII converts the labels of s that are not ASCII to punycode, with
// the lookup mapping of IDNA 2008 (case folding, normalization, the
// ideographic full stop as a dot). ASCII labels are left as they are, so
// that '_' stays allowed in them.
func toASCII(s string) (string, error) {
	if isASCII(s) {
		return s, nil
	}
	labels := strings.Split(s, ".")
	for i, l := range labels {
		if isASCII(l) {
			continue
		}
		a, err := idna.Lookup.ToASCII(l)
		if err != nil {
			return "", fmt.Errorf("%w: resource %q is not a valid internationalized name", ErrInvalidResource, clip(s))
		}
		labels[i] = a
	}
	return strings.Join(labels, "."), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func checkLabel(name, label string) error {
	if label == "" {
		return fmt.Errorf("%w: resource %q has an empty label", ErrInvalidResource, clip(name))
	}
	if len(label) > MaxLabelLen {
		return fmt.Errorf("%w: resource %q has a label longer than %d characters", ErrInvalidResource, clip(name), MaxLabelLen)
	}
	for _, c := range label {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: resource %q: character %q not allowed (letters, digits, '-', '_', '.')", ErrInvalidResource, clip(name), c)
		}
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return fmt.Errorf("%w: resource %q: a label starts or ends with '-'", ErrInvalidResource, clip(name))
	}
	return nil
}

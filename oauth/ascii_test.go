package oauth

import (
	"errors"
	"testing"

	"github.com/ory/fosite"
)

func TestASCIIError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"accents and quotes", fosite.ErrLoginRequired.WithHint(`Nobody is signed in at Sésame "here" \ there.`),
			`The Authorization Server requires End-User authentication. Nobody is signed in at Sesame 'here' ? there.`},
		{"quoted request value", fosite.ErrInvalidRequest.WithHintf("The parameter '%s' is included more than once.", "ré\u200b\n"),
			"The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. The parameter 're? ' is included more than once."},
		{"not an OAuth error", errors.New("données"), "The error is unrecognizable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ASCIIError(tc.err)
			if d := got.GetDescription(); d != tc.want {
				t.Errorf("description = %q, want %q", d, tc.want)
			}
			for _, r := range got.GetDescription() {
				if !AllowedInErrorText(r) {
					t.Errorf("%q left in %q", r, got.GetDescription())
				}
			}
			if errors.Is(tc.err, fosite.ErrInvalidRequest) != errors.Is(got, fosite.ErrInvalidRequest) ||
				got.CodeField != fosite.ErrorToRFC6749Error(tc.err).CodeField {
				t.Errorf("the error changed kind: %v", got)
			}
		})
	}
}

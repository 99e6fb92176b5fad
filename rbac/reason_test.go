package rbac

import (
	"errors"
	"testing"
)

// TestInvalidErrorReasons: a refusal carries its reason and the refused
// value, and still wraps its sentinel.
func TestInvalidErrorReasons(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		sentinel error
		reason   Reason
		value    string
	}{
		{"syntax", parseErr("domain"), ErrInvalidRight, ReasonRightSyntax, "domain"},
		{"unknown", parseErr("domain:fly"), ErrUnknownRight, ReasonUnknownRight, "domain:fly"},
		{"not narrowable", parseErr("billing:pay:example.cm"), ErrInvalidRight, ReasonNotNarrowable, "billing:pay"},
		{"bad resource", parseErr("domain:dns:exa mple"), ErrInvalidRight, ReasonBadResource, "exa mple"},
		{"role", checkRole("role:Tech Team"), ErrInvalidSubject, ReasonBadRole, "role:Tech Team"},
		{"subject", checkID("member", "role:x"), ErrInvalidSubject, ReasonBadSubject, "role:x"},
		{"rule shape", ruleErr(Rule{PType: "p", Subject: "m1", Role: "role:x", Action: "domain:read"}), ErrInvalidRight, ReasonRuleShape, "p"},
		{"resource in action", ruleErr(Rule{PType: "p", Subject: "m1", Action: "domain:dns:example.cm"}), ErrInvalidRight, ReasonResourceInAction, "domain:dns:example.cm"},
		{"template id", templateErr(Template{ID: "Bad ID", NameFR: "x", NameEN: "x", Rights: []string{"domain:read"}}), ErrInvalidRight, ReasonTemplateID, "Bad ID"},
		{"template narrowed", templateErr(Template{ID: "t", NameFR: "x", NameEN: "x", Rights: []string{"domain:dns:example.cm"}}), ErrInvalidRight, ReasonTemplateNarrowed, "domain:dns:example.cm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inv *InvalidError
			if !errors.As(tt.err, &inv) {
				t.Fatalf("%v is no InvalidError", tt.err)
			}
			if inv.Reason != tt.reason || inv.Value != tt.value || !errors.Is(tt.err, tt.sentinel) {
				t.Fatalf("reason %q value %q (is %v: %v), want %q %q", inv.Reason, inv.Value, tt.sentinel, errors.Is(tt.err, tt.sentinel), tt.reason, tt.value)
			}
		})
	}
}

func parseErr(s string) error {
	_, err := ParseRight(s)
	return err
}

func ruleErr(r Rule) error {
	_, err := r.validate()
	return err
}

func templateErr(t Template) error {
	_, err := t.validate()
	return err
}

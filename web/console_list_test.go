package web

import "testing"

// TestListedUnder: the console list's filter by right, on the rights as
// grants store them.
func TestListedUnder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		held   []string
		filter string
		want   bool
	}{
		{[]string{"billing:read"}, "billing:read", true},
		{[]string{"dns:edit:example.org"}, "dns:edit", true},
		{[]string{"dns:edit:example.org", "billing:read"}, "dns:edit", true},
		{[]string{"dns:editor:example.org"}, "dns:edit", false},
		{[]string{"dns:read"}, "dns:edit", false},
		{nil, "dns:edit", false},
		{[]string{"dns:edit"}, "dns:edit:example.org", true},
		{[]string{"dns:edit:example.org"}, "dns:edit:example.org", true},
		{[]string{"dns:edit:example.net"}, "dns:edit:example.org", false},
		{[]string{"dns:edit:example.org"}, "dns:edit:Example.org", true},
		{[]string{"dns:edit"}, "dns", false},
		{[]string{"dns:edit"}, "", false},
	}
	for _, tt := range tests {
		if got := listedUnder(tt.held, tt.filter); got != tt.want {
			t.Errorf("listedUnder(%q, %q) = %v, want %v", tt.held, tt.filter, got, tt.want)
		}
	}
}

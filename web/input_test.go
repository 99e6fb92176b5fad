package web

import "testing"

// TestCleanJSON: a NUL is found wherever a JSON string can hold one, with
// or without other escapes around it.
func TestCleanJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
		want bool
	}{
		{"plain", `{"sub":"m1","right":"domain:dns"}`, true},
		{"other escapes", `{"sub":"m\"1\\","name":"\u00e9"}`, true},
		{"escaped NUL in a value", `{"sub":"m\u00001"}`, false},
		{"escaped NUL in a key", `{"s\u0000ub":"m1"}`, false},
		{"escaped NUL in an array", `{"checks":[{"sub":"\u0000"}]}`, false},
		{"raw NUL: does not parse, left to the handler", "{\"sub\":\"m\x001\"}", true},
		{"invalid UTF-8", "{\"sub\":\"\xff\"}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanJSON([]byte(tt.body)); got != tt.want {
				t.Fatalf("cleanJSON(%q) = %v, want %v", tt.body, got, tt.want)
			}
		})
	}
}

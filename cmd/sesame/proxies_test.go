package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestServeRefusesInvalidTrustedProxies: a trusted proxy that is not a
// CIDR, from the environment or --trusted-proxies, stops the start.
func TestServeRefusesInvalidTrustedProxies(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
	}{
		{"environment", "10.0.0.0/8,proxy.internal", nil},
		{"flag", "", []string{"--trusted-proxies", "10.0.0.0/33"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sqliteEnv(t)
			t.Setenv("SESAME_TRUSTED_PROXIES", tt.env)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := run(ctx, append([]string{"serve", "--addr", freeAddr(t)}, tt.args...), nil, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "trusted proxy") {
				t.Fatalf("serve with an invalid trusted proxy: %v, want a refusal naming it", err)
			}
		})
	}
}

package db

import (
	"context"
	"testing"
)

// BenchmarkQuerySpanOff is what tracing costs a statement when it is off
// (no OTEL_EXPORTER_OTLP_ENDPOINT): the span of the no-op provider.
func BenchmarkQuerySpanOff(b *testing.B) {
	d := &DB{Dialect: Postgres}
	ctx := context.Background()
	for b.Loop() {
		_, s := d.span(ctx, "SELECT 1 FROM signing_keys WHERE alg = ?")
		endSpan(s, nil)
	}
}

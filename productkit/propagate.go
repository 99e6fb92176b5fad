package productkit

import (
	"net/http"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// propagating adds the trace context of each request's context (W3C
// traceparent, through OpenTelemetry's global propagator) to the calls a
// product makes to Sésame, so that a product's trace continues in
// Sésame's. With no propagator installed by the product, it adds nothing.
type propagating struct{ base http.RoundTripper }

func (p propagating) RoundTrip(r *http.Request) (*http.Response, error) {
	h := propagation.HeaderCarrier{}
	otel.GetTextMapPropagator().Inject(r.Context(), h)
	if len(h) > 0 {
		r = r.Clone(r.Context())
		for k, v := range h {
			r.Header[k] = v
		}
	}
	return p.base.RoundTrip(r)
}

// withPropagation returns a copy of c whose transport propagates the
// trace context.
func withPropagation(c *http.Client) *http.Client {
	cp := *c
	base := cp.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if _, ok := base.(propagating); !ok {
		cp.Transport = propagating{base}
	}
	return &cp
}

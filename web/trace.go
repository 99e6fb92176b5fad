package web

import (
	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

const tracerName = "github.com/sesame-idp/sesame/web"

// traceRequest opens the server span of a request (OpenTelemetry, through
// the global tracer provider: a no-op unless app turned tracing on),
// continuing the trace of the caller's traceparent header. The span is
// named by the route pattern, never the raw path.
func (s *Server) traceRequest(c *gin.Context) {
	r := c.Request
	ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	ctx, span := otel.Tracer(tracerName).Start(ctx, r.Method+" "+route, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", route)))
	defer span.End()
	c.Request = r.WithContext(ctx)
	c.Next()
	status := c.Writer.Status()
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	if status >= 500 {
		span.SetStatus(codes.Error, "")
	}
}

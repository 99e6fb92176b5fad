package app

import (
	"context"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// tracingWanted reports whether the standard OpenTelemetry variables ask
// for traces: an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), and neither OTEL_SDK_DISABLED nor
// OTEL_TRACES_EXPORTER=none turns them off.
func tracingWanted() bool {
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") || os.Getenv("OTEL_TRACES_EXPORTER") == "none" {
		return false
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// setupTracing installs an OTLP/HTTP exporter as the process's tracer
// provider, with the W3C trace-context and baggage propagators, when the
// environment asks for it; otherwise tracing stays a no-op. The other
// OTEL_* variables (headers, sampler, service name, batch delays) are read
// by the SDK itself. Only http/protobuf is spoken.
func (a *App) setupTracing(ctx context.Context) error {
	if !tracingWanted() {
		return nil
	}
	if p := os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL"); p != "" && p != "http/protobuf" {
		a.log.Warn("tracing: only OTLP over http/protobuf is spoken; ignoring OTEL_EXPORTER_OTLP_PROTOCOL", "protocol", p)
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return err
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "sesame")),
		resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithHost())
	if err != nil {
		return err
	}
	a.traces = sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(a.traces)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	a.log.Info("tracing: exporting spans over OTLP")
	return nil
}

// FlushTraces exports the spans ended so far (tests, and before a stop).
func (a *App) FlushTraces(ctx context.Context) error {
	if a.traces == nil {
		return nil
	}
	return a.traces.ForceFlush(ctx)
}

// stopTracing flushes and stops the exporter, and puts the no-op
// provider back.
func (a *App) stopTracing() {
	if a.traces == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.traces.Shutdown(ctx); err != nil {
		a.log.Warn("tracing: flush at stop", "err", err)
	}
	otel.SetTracerProvider(noop.NewTracerProvider())
	a.traces = nil
}

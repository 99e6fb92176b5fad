package db

import (
	"context"
	"database/sql"
	"errors"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the spans of the queries (OpenTelemetry, through the
// global tracer provider: a no-op unless app turned tracing on).
const tracerName = "github.com/sesame-idp/sesame/db"

// span starts the span of one statement. The statement text carries
// placeholders, never the values.
func (d *DB) span(ctx context.Context, query string) (context.Context, trace.Span) {
	ctx, s := otel.Tracer(tracerName).Start(ctx, "sql", spanClient)
	if s.IsRecording() { // attributes cost allocations: none when tracing is off
		system := "sqlite"
		if d.Dialect == Postgres {
			system = "postgresql"
		}
		s.SetAttributes(attribute.String("db.system.name", system), attribute.String("db.query.text", query))
	}
	return ctx, s
}

var spanClient = trace.WithSpanKind(trace.SpanKindClient)

// endSpan ends a statement's span, marking it failed on an error other
// than "no rows".
func endSpan(s trace.Span, err error) {
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		s.RecordError(err)
		s.SetStatus(codes.Error, "query failed")
	}
	s.End()
}

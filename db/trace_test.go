package db_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// TestQuerySpans: every way of running a statement, on the pool and in a
// transaction, makes one "sql" span carrying the statement text; a failed
// statement's span is marked failed.
func TestQuerySpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	// spanOf returns the status of the one ended span whose text is query.
	spanOf := func(t *testing.T, query string) codes.Code {
		t.Helper()
		var found []sdktrace.ReadOnlySpan
		for _, s := range rec.Ended() {
			for _, a := range s.Attributes() {
				if a.Key == attribute.Key("db.query.text") && a.Value.AsString() == query && s.Name() == "sql" {
					found = append(found, s)
				}
			}
		}
		if len(found) != 1 {
			t.Fatalf("%d spans for %q, want 1", len(found), query)
		}
		return found[0].Status().Code
	}

	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		run := func(t *testing.T, ctx context.Context, where string) {
			q := func(how string) string { return "SELECT 1 AS n -- " + string(d.Dialect) + " " + where + " " + how }
			bad := func(how string) string {
				return "SELECT n FROM no_such_table -- " + string(d.Dialect) + " " + where + " " + how
			}
			var n int
			if _, err := d.ExecContext(ctx, q("exec")); err != nil {
				t.Fatal(err)
			}
			if err := d.GetContext(ctx, &n, q("get")); err != nil {
				t.Fatal(err)
			}
			var ns []int
			if err := d.SelectContext(ctx, &ns, q("select")); err != nil {
				t.Fatal(err)
			}
			rows, err := d.QueryxContext(ctx, q("queryx"))
			if err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if err := d.QueryRowxContext(ctx, q("queryrowx")).Scan(&n); err != nil {
				t.Fatal(err)
			}
			plain, err := d.QueryContext(ctx, q("query"))
			if err != nil {
				t.Fatal(err)
			}
			plain.Close()
			if err := d.QueryRowContext(ctx, q("queryrow")).Scan(&n); err != nil {
				t.Fatal(err)
			}
			for _, how := range []string{"exec", "get", "select", "queryx", "queryrowx", "query", "queryrow"} {
				if code := spanOf(t, q(how)); code == codes.Error {
					t.Errorf("%s: span marked failed", how)
				}
			}

			if _, err := d.QueryxContext(ctx, bad("queryx")); err == nil {
				t.Fatal("queryx on a missing table succeeded")
			}
			if err := d.QueryRowxContext(ctx, bad("queryrowx")).Scan(&n); err == nil {
				t.Fatal("queryrowx on a missing table succeeded")
			}
			if _, err := d.QueryContext(ctx, bad("query")); err == nil {
				t.Fatal("query on a missing table succeeded")
			}
			if err := d.QueryRowContext(ctx, bad("queryrow")).Scan(&n); err == nil {
				t.Fatal("queryrow on a missing table succeeded")
			}
			for _, how := range []string{"queryx", "queryrowx", "query", "queryrow"} {
				if code := spanOf(t, bad(how)); code != codes.Error {
					t.Errorf("%s on a missing table: span status %v, want Error", how, code)
				}
			}
		}
		t.Run("pool", func(t *testing.T) { run(t, context.Background(), "pool") })
		t.Run("transaction", func(t *testing.T) {
			// The failed statements abort a PostgreSQL transaction (the
			// later ones fail for that reason, and so does the commit):
			// only the spans matter here.
			_ = d.InTx(context.Background(), func(ctx context.Context) error {
				run(t, ctx, "tx")
				return nil
			})
		})
	})
}

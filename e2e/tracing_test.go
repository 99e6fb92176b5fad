package e2e_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/productkit"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

// otlpReceiver is an in-process OTLP/HTTP trace receiver.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req coltrace.ExportTraceServiceRequest
	if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			o.spans = append(o.spans, ss.Spans...)
		}
	}
	o.mu.Unlock()
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

func (o *otlpReceiver) named(name string) []*tracepb.Span {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*tracepb.Span
	for _, s := range o.spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// TestTracing: with OTEL_EXPORTER_OTLP_ENDPOINT set, Sésame exports spans
// to an OTLP receiver: a product's check through productkit continues the
// product's trace in Sésame (HTTP span, SQL spans under it), and an
// invitation's delivery gives an outbox span with its SMTP span.
func TestTracing(t *testing.T) {
	rcv := &otlpReceiver{}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close) // after the instance's, which flushes its spans
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	ctx := context.Background()

	// The product's own span, as its tracing would have started it.
	productTrace := trace.TraceID{0x5e, 0x5a, 0x4e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}
	productSpan := trace.SpanID{0xab, 1, 2, 3, 4, 5, 6, 7}
	pctx := trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: productTrace, SpanID: productSpan, TraceFlags: trace.FlagsSampled}))
	iss, err := productkit.NewIssuer(productkit.IssuerConfig{URL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := productkit.NewChecker(productkit.CheckerConfig{Issuer: iss, ClientID: w.ClientID, ClientSecret: w.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := ch.Check(pctx, w.OwnerID, w.AccountID, "domain:dns", "example.cm"); err != nil || !ok {
		t.Fatalf("check: %v, %v", ok, err)
	}

	if _, err := s.Members.Invite(ctx, members.Operator(), members.InviteRequest{AccountID: w.AccountID, Email: "traced@example.cm", Grants: []rbac.Grant{{Right: "domain:read"}}}); err != nil {
		t.Fatal(err)
	}
	s.Mail.WaitFor(t, "traced@example.cm", 10*time.Second)
	s.SettleMail(t)
	// The delivery's span ends just after the row is marked sent, which is
	// what SettleMail waits for: flush until it has come, or 10 s.
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		if err := s.FlushTraces(fctx); err != nil {
			t.Fatal(err)
		}
		if len(rcv.named("outbox deliver")) > 0 || fctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	checks := rcv.named("POST /api/v1/authz/check")
	if len(checks) != 1 {
		t.Fatalf("%d check spans, want 1", len(checks))
	}
	c := checks[0]
	if trace.TraceID(c.TraceId) != productTrace || trace.SpanID(c.ParentSpanId) != productSpan {
		t.Errorf("the check span is not in the product's trace: trace %x parent %x", c.TraceId, c.ParentSpanId)
	}
	if c.Kind != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("check span kind %v", c.Kind)
	}
	sqlUnderCheck := 0
	for _, q := range rcv.named("sql") {
		if string(q.TraceId) == string(c.TraceId) {
			sqlUnderCheck++
		}
	}
	if sqlUnderCheck == 0 {
		t.Error("no SQL span in the check's trace")
	}
	deliveries, sends := rcv.named("outbox deliver"), rcv.named("smtp send")
	if len(deliveries) == 0 || len(sends) == 0 {
		t.Fatalf("%d outbox and %d SMTP spans, want some", len(deliveries), len(sends))
	}
	parented := false
	for _, d := range deliveries {
		for _, sm := range sends {
			parented = parented || string(sm.ParentSpanId) == string(d.SpanId)
		}
	}
	if !parented {
		t.Error("no SMTP span under an outbox delivery span")
	}
}

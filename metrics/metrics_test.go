package metrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/metrics"
)

// A nil *Metrics records nothing and does not panic: code paths need no
// "metrics off" test.
func TestNilRecordsNothing(t *testing.T) {
	var m *metrics.Metrics
	m.ObserveRequest("/x", "GET", 200, time.Millisecond)
	m.TokenIssued("client_credentials", "c")
	m.SignIn(metrics.SignInSuccess)
	m.ThrottleHit("/login")
	m.Check(true, time.Millisecond)
	m.OutboxAttempt("mail", true)
	m.AddOutbox("mail", nil)
}

// Each registry is its own: two instances in one process count apart.
func TestRegistriesAreSeparate(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.SignIn(metrics.SignInInvalid)
	if got := scrape(t, b); strings.Contains(got, `sesame_sign_ins_total{outcome="invalid"} 1`) {
		t.Fatal("a count of one registry shows in another")
	}
	if got := scrape(t, a); !strings.Contains(got, `sesame_sign_ins_total{outcome="invalid"} 1`) {
		t.Fatalf("the count is missing:\n%s", got)
	}
}

// An outbox kind whose query fails says so (up 0) and the others still
// report.
func TestOutboxKinds(t *testing.T) {
	m := metrics.New()
	m.AddOutbox("mail", func(context.Context) (metrics.OutboxState, error) {
		return metrics.OutboxState{Pending: 3, Failing: 1, Oldest: time.Now().Add(-time.Minute)}, nil
	})
	m.AddOutbox("logout", func(context.Context) (metrics.OutboxState, error) { return metrics.OutboxState{}, errors.New("down") })
	got := scrape(t, m)
	for _, want := range []string{
		`sesame_outbox_up{kind="mail"} 1`, `sesame_outbox_pending{kind="mail"} 3`, `sesame_outbox_failing{kind="mail"} 1`,
		`sesame_outbox_up{kind="logout"} 0`, `sesame_outbox_attempts_total{kind="logout"} 0`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(got, `sesame_outbox_pending{kind="logout"}`) {
		t.Error("a kind whose query failed reports a backlog")
	}
	if n := strings.Count(got, "\nsesame_outbox_oldest_age_seconds{"); n != 1 {
		t.Errorf("oldest age series: %d, want 1", n)
	}
}

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

// BenchmarkObserveRequest is the cost the HTTP middleware adds to every
// request.
func BenchmarkObserveRequest(b *testing.B) {
	m := metrics.New()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.ObserveRequest("/oauth2/token", "POST", 200, 3*time.Millisecond)
		}
	})
}

// BenchmarkTokenIssued is the cost of counting a token response.
func BenchmarkTokenIssued(b *testing.B) {
	m := metrics.New()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.TokenIssued("client_credentials", "panel")
		}
	})
}

package metrics

import (
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Sign-in outcomes, the values of the outcome label of
// sesame_sign_ins_total. A sign-in with a second step counts twice: once
// second_factor (the password was right, a second factor is asked for),
// then success, invalid or throttled for the second step.
const (
	SignInSuccess      = "success" // a browser session opened
	SignInInvalid      = "invalid"
	SignInThrottled    = "throttled"
	SignInSecondFactor = "second_factor" // a second factor is asked for
)

// Metrics is the registry of one running Sésame and the families other
// packages feed. A nil *Metrics records nothing, so that code paths need
// no test for "metrics off".
type Metrics struct {
	reg *prometheus.Registry

	requests       *prometheus.CounterVec
	requestSeconds *prometheus.HistogramVec
	tokens         *prometheus.CounterVec
	signIns        *prometheus.CounterVec
	throttled      *prometheus.CounterVec
	checks         *prometheus.CounterVec
	checkSeconds   prometheus.Histogram
	outboxAttempts *prometheus.CounterVec
	outboxFailures *prometheus.CounterVec
	outboxes       *outboxCollector
}

// New returns a fresh registry with the Go runtime, process and build
// information collectors and every family of Sésame.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg}
	f := factory{reg}
	m.requests = f.counterVec("sesame_http_requests_total", "HTTP requests answered, by route pattern, method and status.", "route", "method", "status")
	m.requestSeconds = f.histogramVec("sesame_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern and method.", prometheus.DefBuckets, "route", "method")
	m.tokens = f.counterVec("sesame_tokens_issued_total", "Tokens issued by the token endpoint, by grant type and client.", "grant_type", "client_id")
	m.signIns = f.counterVec("sesame_sign_ins_total", "Sign-in attempts by outcome: success, invalid, throttled, second_factor.", "outcome")
	m.throttled = f.counterVec("sesame_throttle_hits_total", "Requests refused for too many attempts (429), by route pattern.", "route")
	m.checks = f.counterVec("sesame_authz_checks_total", "Check-API decisions, allowed or denied.", "decision")
	m.checkSeconds = f.histogram("sesame_authz_check_duration_seconds", "Time to decide one check-API request.",
		[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1})
	m.outboxAttempts = f.counterVec("sesame_outbox_attempts_total", "Delivery attempts made by this instance, by outbox kind.", "kind")
	m.outboxFailures = f.counterVec("sesame_outbox_failures_total", "Failed delivery attempts of this instance, by outbox kind.", "kind")
	m.outboxes = newOutboxCollector()
	reg.MustRegister(m.outboxes,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo())
	// Kinds known from the start show a zero rather than nothing.
	for _, k := range []string{SignInSuccess, SignInInvalid, SignInThrottled, SignInSecondFactor} {
		m.signIns.WithLabelValues(k)
	}
	m.checks.WithLabelValues("allowed")
	m.checks.WithLabelValues("denied")
	return m
}

// Registry is where the families live; tests read it, app adds collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest counts one HTTP request answered. route is the pattern
// it matched (gin's FullPath), never the raw path: raw paths carry IDs and
// link tokens, and would make the series unbounded.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.requestSeconds.WithLabelValues(route, method).Observe(d.Seconds())
}

// TokenIssued counts a token response of the token endpoint.
func (m *Metrics) TokenIssued(grantType, clientID string) {
	if m == nil {
		return
	}
	m.tokens.WithLabelValues(grantType, clientID).Inc()
}

// SignIn counts a sign-in attempt by outcome (SignInSuccess…).
func (m *Metrics) SignIn(outcome string) {
	if m == nil {
		return
	}
	m.signIns.WithLabelValues(outcome).Inc()
}

// ThrottleHit counts a request refused for too many attempts, by the
// route pattern it came to.
func (m *Metrics) ThrottleHit(route string) {
	if m == nil {
		return
	}
	m.throttled.WithLabelValues(route).Inc()
}

// Check counts one check-API decision and the time it took.
func (m *Metrics) Check(allowed bool, d time.Duration) {
	if m == nil {
		return
	}
	decision := "denied"
	if allowed {
		decision = "allowed"
	}
	m.checks.WithLabelValues(decision).Inc()
	m.checkSeconds.Observe(d.Seconds())
}

// OutboxAttempt counts a delivery attempt of an outbox kind and whether it
// failed.
func (m *Metrics) OutboxAttempt(kind string, failed bool) {
	if m == nil {
		return
	}
	m.outboxAttempts.WithLabelValues(kind).Inc()
	if failed {
		m.outboxFailures.WithLabelValues(kind).Inc()
	}
}

// buildInfo is sesame_build_info: the module version and Go version as
// labels, value 1.
func buildInfo() prometheus.Collector {
	version, goVersion, revision := "unknown", "unknown", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		version, goVersion = bi.Main.Version, bi.GoVersion
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "sesame_build_info",
		Help:        "Build of the running Sésame (value 1).",
		ConstLabels: prometheus.Labels{"version": version, "goversion": goVersion, "revision": revision},
	})
	g.Set(1)
	return g
}

type factory struct{ reg *prometheus.Registry }

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	f.reg.MustRegister(h)
	return h
}

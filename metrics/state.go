package metrics

import (
	"database/sql"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// AddDB registers the statistics of a database pool (open, in use, idle
// connections, waits…) under the label db_name.
func (m *Metrics) AddDB(name string, d *sql.DB) {
	if m == nil {
		return
	}
	m.reg.MustRegister(collectors.NewDBStatsCollector(d, name))
}

// CacheStats is the state of the cache of per-account enforcers.
type CacheStats struct {
	Size         int
	Hits, Misses uint64
	// LastNotify is when the last change notification from another
	// instance (or a resync) arrived; zero when none has.
	LastNotify time.Time
}

// AddEnforcerCache registers the enforcer cache, read at each scrape.
func (m *Metrics) AddEnforcerCache(stats func() CacheStats) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&funcCollector{collect: func(ch chan<- prometheus.Metric) {
		s := stats()
		ch <- gauge("sesame_enforcer_cache_size", "Account enforcers kept in memory.", float64(s.Size))
		ch <- counter("sesame_enforcer_cache_hits_total", "Checks answered by a cached account enforcer.", float64(s.Hits))
		ch <- counter("sesame_enforcer_cache_misses_total", "Checks that loaded an account's rules from the database.", float64(s.Misses))
		since := -1.0
		if !s.LastNotify.IsZero() {
			since = time.Since(s.LastNotify).Seconds()
		}
		ch <- gauge("sesame_enforcer_last_notification_age_seconds",
			"Seconds since the last policy change notification or resync; -1 before the first.", since)
	}})
}

// SigningKey is one current signing key: its algorithm and creation time.
type SigningKey struct {
	Alg     string
	Created time.Time
}

// AddSigningKeys registers the age of the keys signing new tokens.
func (m *Metrics) AddSigningKeys(current func() []SigningKey) {
	if m == nil {
		return
	}
	desc := prometheus.NewDesc("sesame_signing_key_age_seconds", "Age of the key signing new tokens, by algorithm.", []string{"alg"}, nil)
	m.reg.MustRegister(&funcCollector{collect: func(ch chan<- prometheus.Metric) {
		for _, k := range current() {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, time.Since(k.Created).Seconds(), k.Alg)
		}
	}})
}

// funcCollector is an unchecked collector: it describes nothing up front
// and emits what collect reads.
type funcCollector struct {
	collect func(ch chan<- prometheus.Metric)
}

func (c *funcCollector) Describe(chan<- *prometheus.Desc)    {}
func (c *funcCollector) Collect(ch chan<- prometheus.Metric) { c.collect(ch) }

func gauge(name, help string, v float64) prometheus.Metric {
	return prometheus.MustNewConstMetric(prometheus.NewDesc(name, help, nil, nil), prometheus.GaugeValue, v)
}

func counter(name, help string, v float64) prometheus.Metric {
	return prometheus.MustNewConstMetric(prometheus.NewDesc(name, help, nil, nil), prometheus.CounterValue, v)
}

package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// OutboxState is the backlog of one outbox kind as its table shows it,
// the same seen from every instance.
type OutboxState struct {
	Pending int       // messages still to deliver: queued, being sent or failing
	Failing int       // of those, the ones whose last attempt failed
	Oldest  time.Time // creation time of the oldest pending message; zero when none
	Failed  int       // abandoned (refused for good or out of attempts), not yet purged
}

// OutboxQuery reads the backlog of one outbox kind.
type OutboxQuery func(ctx context.Context) (OutboxState, error)

// AddOutbox registers the backlog query of an outbox kind ("mail",
// "logout", "events"…): one line per kind. It is run at each scrape, with
// a deadline, and a failing query leaves its kind out of that scrape
// (sesame_outbox_up says so).
func (m *Metrics) AddOutbox(kind string, q OutboxQuery) {
	if m == nil {
		return
	}
	m.outboxes.add(kind, q)
	m.outboxAttempts.WithLabelValues(kind)
	m.outboxFailures.WithLabelValues(kind)
}

type outboxCollector struct {
	mu    sync.Mutex
	kinds []string
	query map[string]OutboxQuery
	now   func() time.Time

	up, pending, failing, failed, oldest *prometheus.Desc
}

func newOutboxCollector() *outboxCollector {
	l := []string{"kind"}
	return &outboxCollector{
		query:   map[string]OutboxQuery{},
		now:     time.Now,
		up:      prometheus.NewDesc("sesame_outbox_up", "Whether the backlog of the outbox kind could be read at this scrape.", l, nil),
		pending: prometheus.NewDesc("sesame_outbox_pending", "Messages still to deliver (queued, being sent or failing), by outbox kind.", l, nil),
		failing: prometheus.NewDesc("sesame_outbox_failing", "Pending messages whose last attempt failed, by outbox kind.", l, nil),
		failed:  prometheus.NewDesc("sesame_outbox_abandoned", "Messages given up (refused for good or out of attempts) and not yet purged, by outbox kind.", l, nil),
		oldest:  prometheus.NewDesc("sesame_outbox_oldest_age_seconds", "Age of the oldest pending message, 0 when none, by outbox kind.", l, nil),
	}
}

func (c *outboxCollector) add(kind string, q OutboxQuery) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.query[kind]; !ok {
		c.kinds = append(c.kinds, kind)
	}
	c.query[kind] = q
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.pending, c.failing, c.failed, c.oldest} {
		ch <- d
	}
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	kinds := append([]string(nil), c.kinds...)
	c.mu.Unlock()
	for _, kind := range kinds {
		c.mu.Lock()
		q := c.query[kind]
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		st, err := q(ctx)
		cancel()
		if err != nil {
			ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0, kind)
			continue
		}
		age := 0.0
		if !st.Oldest.IsZero() {
			age = max(0, c.now().Sub(st.Oldest).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1, kind)
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(st.Pending), kind)
		ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, float64(st.Failing), kind)
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, float64(st.Failed), kind)
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age, kind)
	}
}

package app

import (
	"context"
	"fmt"
	"maps"
	"net"
	"slices"

	"github.com/sesame-idp/sesame/metrics"
)

// wireMetrics registers the collectors that read state at each scrape:
// the outboxes (one line per kind: mail, and the deliveries to products
// as "logout" and "events"), the enforcer cache, the database pool and
// the signing keys. The counters are fed by web, oauth, mail and events
// through the hooks build sets.
func (a *App) wireMetrics() {
	m := a.Metrics
	m.AddOutbox("mail", func(ctx context.Context) (metrics.OutboxState, error) {
		b, err := a.Outbox.Backlog(ctx)
		return metrics.OutboxState(b), err
	})
	for _, name := range slices.Sorted(maps.Keys(EventOutboxes)) {
		kind := EventOutboxes[name]
		m.AddOutbox(name, func(ctx context.Context) (metrics.OutboxState, error) {
			b, err := a.Events.Backlog(ctx, kind)
			return metrics.OutboxState(b), err
		})
	}
	m.AddEnforcerCache(func() metrics.CacheStats { return metrics.CacheStats(a.Rights.CacheStats()) })
	m.AddDB("sesame", a.DB.DB.DB)
	m.AddSigningKeys(func() []metrics.SigningKey {
		var out []metrics.SigningKey
		for _, k := range a.OAuth.Keys.CurrentKeys() {
			out = append(out, metrics.SigningKey{Alg: k.Alg, Created: k.CreatedAt})
		}
		return out
	})
}

// listenMetrics opens the metrics address (SESAME_METRICS_ADDR) when one
// is set, so that a bad address stops the start rather than a scrape.
func (a *App) listenMetrics() error {
	if a.Config.MetricsAddr == "" {
		return nil
	}
	l, err := net.Listen("tcp", a.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("app: metrics address (SESAME_METRICS_ADDR): %w", err)
	}
	a.metricsListener = l
	return nil
}

// MetricsAddr is the address the metrics are served on, "" when none
// (SESAME_METRICS_ADDR unset).
func (a *App) MetricsAddr() string {
	if a.metricsListener == nil {
		return ""
	}
	return a.metricsListener.Addr().String()
}

// serveMetrics serves GET /metrics on the metrics address until ctx ends.
func (a *App) serveMetrics(ctx context.Context) {
	if a.metricsListener == nil {
		return
	}
	if err := a.Metrics.Serve(ctx, a.metricsListener); err != nil {
		a.log.Error("metrics listener stopped", "err", err)
	}
}

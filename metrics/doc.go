// Package metrics holds Sésame's Prometheus metrics: one registry per
// running Sésame (never the process-wide default one), the families the
// other packages feed, the collectors that read state when scraped
// (outboxes, enforcer cache, database pool, signing keys), and the
// handler served on the metrics address (SESAME_METRICS_ADDR) only.
//
// No label holds personal data: routes are patterns, clients are client
// IDs, sign-ins are counted by outcome only.
//
// It imports nothing of Sésame: the packages that report to it (web) call
// its methods, and app wires the collectors through small functions.
package metrics

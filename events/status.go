package events

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/internal/lease"
)

// backoff is the wait after the n-th failed attempt.
func (s *Service) backoff(n int) time.Duration {
	return lease.Backoff(s.opts.Backoff, s.opts.MaxBackoff, n)
}

// State is where a delivery stands.
type State string

// The states of a delivery.
const (
	StatePending   State = "pending"   // not delivered yet; tried again at NextAttemptAt
	StateDelivered State = "delivered" // the client answered 2xx
	StateFailed    State = "failed"    // refused (400) or out of attempts
)

// Delivery is one token to one client, as admins see it.
type Delivery struct {
	ID            int64      `json:"id"`
	JTI           string     `json:"jti"`
	Kind          Kind       `json:"kind"`
	ClientID      string     `json:"client_id"`
	Subject       string     `json:"sub"`
	SID           string     `json:"sid,omitempty"`
	State         State      `json:"state"`
	Attempts      int        `json:"attempts"`
	LastStatus    int        `json:"last_status,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	EventAt       time.Time  `json:"event_at"`
	CreatedAt     time.Time  `json:"created_at"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"` // pending only
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
	FailedAt      *time.Time `json:"failed_at,omitempty"`
}

type deliveryRow struct {
	ID            int64        `db:"id"`
	JTI           string       `db:"jti"`
	Kind          string       `db:"kind"`
	ClientID      string       `db:"client_id"`
	Subject       string       `db:"subject"`
	SID           string       `db:"sid"`
	Attempts      int          `db:"attempts"`
	LastStatus    int          `db:"last_status"`
	LastError     string       `db:"last_error"`
	EventAt       time.Time    `db:"event_at"`
	CreatedAt     time.Time    `db:"created_at"`
	NextAttemptAt time.Time    `db:"next_attempt_at"`
	DeliveredAt   sql.NullTime `db:"delivered_at"`
	FailedAt      sql.NullTime `db:"failed_at"`
}

func (r deliveryRow) delivery() Delivery {
	d := Delivery{ID: r.ID, JTI: r.JTI, Kind: Kind(r.Kind), ClientID: r.ClientID, Subject: r.Subject, SID: r.SID,
		Attempts: r.Attempts, LastStatus: r.LastStatus, LastError: r.LastError,
		EventAt: r.EventAt.UTC(), CreatedAt: r.CreatedAt.UTC()}
	switch {
	case r.DeliveredAt.Valid:
		d.State, d.DeliveredAt = StateDelivered, utcPtr(r.DeliveredAt.Time)
	case r.FailedAt.Valid:
		d.State, d.FailedAt = StateFailed, utcPtr(r.FailedAt.Time)
	default:
		d.State, d.NextAttemptAt = StatePending, utcPtr(r.NextAttemptAt)
	}
	return d
}

func utcPtr(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}

const deliveryColumns = `id, jti, kind, client_id, subject, sid, attempts, last_status, last_error,
	event_at, created_at, next_attempt_at, delivered_at, failed_at`

// Recent returns the latest deliveries, newest first, at most limit
// (1 to 500, default 100); state, when not empty, keeps only that state.
func (s *Service) Recent(ctx context.Context, state State, limit int) ([]Delivery, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	where := ""
	switch state {
	case StatePending:
		where = " WHERE delivered_at IS NULL AND failed_at IS NULL"
	case StateDelivered:
		where = " WHERE delivered_at IS NOT NULL"
	case StateFailed:
		where = " WHERE failed_at IS NOT NULL"
	}
	var rows []deliveryRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+deliveryColumns+` FROM event_deliveries`+where+
		` ORDER BY id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("events: recent deliveries: %w", err)
	}
	out := make([]Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, nil
}

// Purge deletes the deliveries made or failed before cutoff.
func (s *Service) Purge(ctx context.Context, cutoff time.Time) (int64, error) {
	cutoff = cutoff.UTC()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM event_deliveries
		WHERE (delivered_at IS NOT NULL AND delivered_at < ?) OR (failed_at IS NOT NULL AND failed_at < ?)`), cutoff, cutoff)
	if err != nil {
		return 0, fmt.Errorf("events: purge: %w", err)
	}
	return res.RowsAffected()
}

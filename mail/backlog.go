package mail

import (
	"context"

	"github.com/sesame-idp/sesame/internal/lease"
)

// Backlog is what waits in the outbox, for monitoring and operators:
// Pending (queued, being sent or failing), Failing (pending whose last
// attempt failed), Oldest (creation of the oldest pending message; zero
// when none), Failed (abandoned and not yet purged).
type Backlog = lease.Backlog

// Backlog counts the pending, failing and abandoned messages and finds
// the oldest pending one.
func (o *Outbox) Backlog(ctx context.Context) (Backlog, error) {
	return o.queue().Backlog(ctx, "")
}

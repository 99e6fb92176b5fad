package audit

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Actions lists every action the trail records, for filters.
func Actions() []string {
	return []string{AccountCreated, SignIn, SignInFailed, MemberInvited, InvitationResent, InvitationRevoked,
		InvitationAccepted, RightsChanged, MemberDisabled, MemberEnabled, MemberDeleted, PolicyChanged,
		TemplateChanged, PasswordChanged, PasswordResetAsked, PasswordReset}
}

// MaxPage bounds the events one Query returns.
const MaxPage = 10000

// Filter selects events of one account for Query. Zero fields select
// everything.
type Filter struct {
	AccountID string
	Actor     string    // the actor's email, exactly (case-insensitive)
	Action    string    // one of Actions
	From, To  time.Time // From <= created_at < To
	Before    int64     // only events with a smaller ID: the next page
	Limit     int       // 1 to MaxPage; 0 means 50
}

// Query returns the events f selects, newest first, and whether more
// follow (ask again with Before set to the last event's ID).
func (l *Log) Query(ctx context.Context, f Filter) ([]Event, bool, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxPage)
	where := []string{"account_id = ?"}
	args := []any{f.AccountID}
	if f.Actor != "" {
		where, args = append(where, "LOWER(actor_email) = ?"), append(args, strings.ToLower(f.Actor))
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if !f.From.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, f.To.UTC())
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	args = append(args, limit+1)
	var events []Event
	err := l.d.SelectContext(ctx, &events, l.d.Rebind(`SELECT id, account_id, actor_id, actor_email, action, target, detail, ip, created_at
		FROM audit_events WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, false, fmt.Errorf("audit: query %s: %w", f.AccountID, err)
	}
	more := len(events) > limit
	if more {
		events = events[:limit]
	}
	for i := range events {
		events[i].CreatedAt = events[i].CreatedAt.UTC()
	}
	return events, more, nil
}

// Actors lists the emails that acted in an account, for the filter by
// person, sorted.
func (l *Log) Actors(ctx context.Context, accountID string) ([]string, error) {
	var out []string
	err := l.d.SelectContext(ctx, &out, l.d.Rebind(`SELECT DISTINCT actor_email FROM audit_events
		WHERE account_id = ? AND actor_email <> '' ORDER BY actor_email LIMIT 500`), accountID)
	if err != nil {
		return nil, fmt.Errorf("audit: actors of %s: %w", accountID, err)
	}
	return out, nil
}

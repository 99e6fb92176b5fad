package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// Actions recorded in the trail.
const (
	AccountCreated     = "account.created"
	SignIn             = "signin.succeeded"
	SignInFailed       = "signin.failed"
	MemberInvited      = "member.invited"
	InvitationResent   = "invitation.resent"
	InvitationRevoked  = "invitation.revoked"
	InvitationAccepted = "invitation.accepted"
	RightsChanged      = "member.rights_changed"
	MemberDisabled     = "member.disabled"
	MemberEnabled      = "member.enabled"
	MemberDeleted      = "member.deleted"
	PolicyChanged      = "policy.changed"
	TemplateChanged    = "template.changed"
	PasswordChanged    = "password.changed"
	PasswordResetAsked = "password.reset_requested"
	PasswordReset      = "password.reset"
)

// Event is one line of the trail. AccountID is empty for platform-wide
// events (an admin editing role templates).
type Event struct {
	ID         int64     `db:"id" json:"id"`
	AccountID  string    `db:"account_id" json:"account_id"`
	ActorID    string    `db:"actor_id" json:"actor_id"`
	ActorEmail string    `db:"actor_email" json:"actor_email"`
	Action     string    `db:"action" json:"action"`
	Target     string    `db:"target" json:"target"`
	Detail     string    `db:"detail" json:"detail"`
	IP         string    `db:"ip" json:"ip"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
}

// Record appends e to the trail through q (a transaction, usually). A zero
// CreatedAt is set to now.
func Record(ctx context.Context, q db.Queryer, e Event) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = db.Now()
	}
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO audit_events
		(account_id, actor_id, actor_email, action, target, detail, ip, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		e.AccountID, e.ActorID, e.ActorEmail, e.Action, e.Target, e.Detail, e.IP, e.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// List returns the newest events of an account, at most limit of them;
// an empty accountID lists platform-wide events.
func List(ctx context.Context, q db.Queryer, accountID string, limit int) ([]Event, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var events []Event
	err := q.SelectContext(ctx, &events, q.Rebind(`SELECT id, account_id, actor_id, actor_email, action, target, detail, ip, created_at
		FROM audit_events WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`), accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list %s: %w", accountID, err)
	}
	return events, nil
}

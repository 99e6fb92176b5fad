package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/sesame-idp/sesame/db"
)

// Actions recorded in the trail.
const (
	AccountCreated      = "account.created"
	SignIn              = "signin.succeeded"
	SignInFailed        = "signin.failed"
	MemberInvited       = "member.invited"
	InvitationResent    = "invitation.resent"
	InvitationRevoked   = "invitation.revoked"
	InvitationAccepted  = "invitation.accepted"
	RightsChanged       = "member.rights_changed"
	MemberDisabled      = "member.disabled"
	MemberEnabled       = "member.enabled"
	MemberDeleted       = "member.deleted"
	PolicyChanged       = "policy.changed"
	TemplateChanged     = "template.changed"
	PasswordChanged     = "password.changed"
	PasswordResetAsked  = "password.reset_requested"
	PasswordReset       = "password.reset"
	SessionEnded        = "session.ended"
	SecondFactorAdded   = "mfa.added"
	SecondFactorReset   = "mfa.reset"
	SecondFactorRemoved = "mfa.removed"
	RecoveryCodesNew    = "mfa.recovery_codes_generated"
	RecoveryCodeUsed    = "mfa.recovery_code_used"
	SecondFactorFailed  = "mfa.failed"
	MFAPolicyChanged    = "account.mfa_policy_changed"
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

// Log is the activity trail of one database. It is safe for concurrent use.
type Log struct {
	d *db.DB
}

// New returns the trail kept in d.
func New(d *db.DB) *Log { return &Log{d: d} }

// Record appends e to the trail, in the transaction ctx carries (so that
// a change and its trace commit together) or on its own. A zero CreatedAt
// is set to now.
func (l *Log) Record(ctx context.Context, e Event) error {
	d := l.d
	if e.CreatedAt.IsZero() {
		e.CreatedAt = db.Now()
	}
	_, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO audit_events
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
func (l *Log) List(ctx context.Context, accountID string, limit int) ([]Event, error) {
	d := l.d
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var events []Event
	err := d.SelectContext(ctx, &events, d.Rebind(`SELECT id, account_id, actor_id, actor_email, action, target, detail, ip, created_at
		FROM audit_events WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`), accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list %s: %w", accountID, err)
	}
	return events, nil
}

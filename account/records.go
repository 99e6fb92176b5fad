package account

import (
	"database/sql"
	"time"
)

// Role is the place of a member in an account.
type Role string

// The roles of a member.
const (
	RoleOwner  Role = "owner"  // holds every right of the account
	RoleMember Role = "member" // a login account: holds the rights granted
)

// Status is the state of a member.
type Status string

// The states of a member.
const (
	StatusInvited  Status = "invited"  // has not set a password yet
	StatusActive   Status = "active"   // may sign in
	StatusDisabled Status = "disabled" // may not sign in; keeps its record
)

// Valid reports whether s is one of the known states.
func (s Status) Valid() bool {
	return s == StatusInvited || s == StatusActive || s == StatusDisabled
}

// Account is a customer account: what products are bought with.
type Account struct {
	ID        string    `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// Member is one person in one account: its owner or a login account. ID
// is the OpenID Connect subject. The password hash is never exported.
type Member struct {
	ID          string     `json:"id"`
	AccountID   string     `json:"account_id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Role        Role       `json:"role"`
	Status      Status     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
}

// Admin is a platform administrator: edits policies, holds no account.
type Admin struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// memberColumns are the columns memberRow scans.
const memberColumns = `id, account_id, email, name, role, status, password_hash, created_at, updated_at, last_login_at`

// memberRow is a members row, password hash included.
type memberRow struct {
	ID           string       `db:"id"`
	AccountID    string       `db:"account_id"`
	Email        string       `db:"email"`
	Name         string       `db:"name"`
	Role         Role         `db:"role"`
	Status       Status       `db:"status"`
	PasswordHash string       `db:"password_hash"`
	CreatedAt    time.Time    `db:"created_at"`
	UpdatedAt    time.Time    `db:"updated_at"`
	LastLoginAt  sql.NullTime `db:"last_login_at"`
}

// member returns the exported view of r, times in UTC.
func (r memberRow) member() Member {
	m := Member{
		ID: r.ID, AccountID: r.AccountID, Email: r.Email, Name: r.Name, Role: r.Role, Status: r.Status,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.LastLoginAt.Valid {
		t := r.LastLoginAt.Time.UTC()
		m.LastLoginAt = &t
	}
	return m
}

// adminRow is an admins row, password hash included.
type adminRow struct {
	ID           string    `db:"id"`
	Email        string    `db:"email"`
	PasswordHash string    `db:"password_hash"`
	CreatedAt    time.Time `db:"created_at"`
}

func (r adminRow) admin() Admin {
	return Admin{ID: r.ID, Email: r.Email, CreatedAt: r.CreatedAt.UTC()}
}

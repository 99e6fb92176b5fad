package web

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/rbac"
)

// adminRolePrefix starts every role name in the rules (see package rbac).
const adminRolePrefix = "role:"

// adminExpiryLayouts are the expiry formats the forms accept, in UTC: the
// stored RFC 3339 form (the remove buttons send it back), a date and time
// as typed or as a datetime-local input sends it, or a date alone (the
// start of that day).
var adminExpiryLayouts = []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// adminExpiry parses an optional expiry typed in a form.
func adminExpiry(s string) (*time.Time, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "UTC"))
	if s == "" {
		return nil, nil
	}
	for _, layout := range adminExpiryLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, badRequest("invalid_expiry", "admin_err_expiry").detail("admin_reason_expiry").with("Value", clipInput(s))
}

// adminRuleFromForm reads a rule from the add and remove forms.
func adminRuleFromForm(c *gin.Context) (rbac.Rule, error) {
	exp, err := adminExpiry(c.PostForm("expires_at"))
	if err != nil {
		return rbac.Rule{}, err
	}
	return rbac.Rule{
		PType:     c.PostForm("ptype"),
		Subject:   strings.TrimSpace(c.PostForm("subject")),
		Role:      strings.TrimSpace(c.PostForm("role")),
		Object:    strings.TrimSpace(c.PostForm("object")),
		Action:    strings.TrimSpace(c.PostForm("action")),
		ExpiresAt: exp,
	}, nil
}

// adminPrepareRule completes a rule given for account acct: the rule type
// follows from the fields when omitted, a role typed without its "role:"
// prefix gets it, and a subject written as an email becomes the ID of the
// account's member with that email. A rule being added must also name a
// member of this account (or a role) and, when it expires, expire in the
// future. Package rbac checks the rest (catalog, resource syntax).
func (s *Server) adminPrepareRule(ctx context.Context, acct account.Account, r rbac.Rule, adding bool) (rbac.Rule, error) {
	if r.PType == "" {
		r.PType = "p"
		if r.Role != "" {
			r.PType = "g"
		}
	}
	if r.PType == "g" && r.Role != "" && !strings.HasPrefix(r.Role, adminRolePrefix) {
		r.Role = adminRolePrefix + r.Role
	}
	if r.Subject == "" {
		return r, badRequest("invalid_subject", "admin_err_subject_missing")
	}
	if strings.HasPrefix(r.Subject, adminRolePrefix) {
		return s.adminCheckExpiry(r, adding)
	}
	if !strings.Contains(r.Subject, "@") && !adding {
		return s.adminCheckExpiry(r, adding) // the member may be gone; the rule stays removable
	}
	list, err := s.Accounts.Members(ctx, acct.ID)
	if err != nil {
		return r, err
	}
	for _, m := range list {
		if m.ID == r.Subject || strings.EqualFold(m.Email, r.Subject) {
			r.Subject = m.ID
			return s.adminCheckExpiry(r, adding)
		}
	}
	return r, notMember(r.Subject, acct.ID)
}

func (s *Server) adminCheckExpiry(r rbac.Rule, adding bool) (rbac.Rule, error) {
	if adding && r.ExpiresAt != nil && !r.ExpiresAt.After(s.Now()) {
		return r, badRequest("invalid_expiry", "admin_err_expiry_past").
			detail("admin_reason_expiry_past").with("Value", r.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return r, nil
}

// adminRuleRow is a rule as the account page lists it.
type adminRuleRow struct {
	rbac.Rule
	Who     string // the member's email when the subject is a member
	What    string // the right's label, or the role
	Expiry  string // written out, or ""
	Expired bool
	// Protected marks the owner's rules, which no edit removes.
	Protected bool
	// ExpiresValue is the stored expiry, sent back by the remove button.
	ExpiresValue string
}

func (s *Server) adminRuleRows(c *gin.Context, rules []rbac.Rule, members []account.Member) []adminRuleRow {
	lang := langOf(c)
	emails := make(map[string]string, len(members))
	for _, m := range members {
		emails[m.ID] = m.Email
	}
	now := s.Now()
	rows := make([]adminRuleRow, 0, len(rules))
	for _, r := range rules {
		row := adminRuleRow{Rule: r, Who: emails[r.Subject], Protected: r.OwnerRule()}
		if r.PType == "g" {
			row.What = r.Role
		} else {
			row.What = s.adminRightLabel(c, lang, r.Action)
		}
		if r.ExpiresAt != nil {
			row.Expiry = s.dates(c).DateTime(*r.ExpiresAt)
			row.ExpiresValue = r.ExpiresAt.UTC().Format(time.RFC3339)
			row.Expired = !r.ExpiresAt.After(now)
		}
		rows = append(rows, row)
	}
	return rows
}

// adminRightLabel names a rule's action for people.
func (s *Server) adminRightLabel(c *gin.Context, lang, action string) string {
	if action == "*" {
		return s.msg(c, "admin_every_right")
	}
	for _, cr := range rbac.Catalog() {
		if cr.Right == action {
			return cr.Label(lang)
		}
	}
	return action
}

// adminRight is a right of the catalog offered in a select or as a
// checkbox.
type adminRight struct {
	Right   string
	Label   string
	Checked bool
}

type adminRightGroup struct {
	Label  string
	Rights []adminRight
}

// adminCatalog returns the catalog grouped by product, with checked ticked.
func adminCatalog(lang string, checked ...string) []adminRightGroup {
	var groups []adminRightGroup
	for _, cr := range rbac.Catalog() {
		label := cr.GroupLabel(lang)
		if len(groups) == 0 || groups[len(groups)-1].Label != label {
			groups = append(groups, adminRightGroup{Label: label})
		}
		opt := adminRight{Right: cr.Right, Label: cr.Label(lang)}
		for _, r := range checked {
			if r == cr.Right {
				opt.Checked = true
			}
		}
		groups[len(groups)-1].Rights = append(groups[len(groups)-1].Rights, opt)
	}
	return groups
}

// notMember refuses a subject that is no member of the account.
func notMember(subject, accountID string) *Error {
	return badRequest("invalid_subject", "admin_err_not_member").detail("admin_reason_not_member").
		with("Value", clipInput(subject)).with("Account", clipInput(accountID))
}

// clipInput shortens untrusted input quoted in messages.
func clipInput(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// adminMemberRow is a member as the account page lists it. Its role is
// read from the rules, not from the member's record: "owner" only while
// the member holds role:owner, and Unruled when the record says owner
// but the rules give no such role (the page says so instead of claiming
// the member holds every right).
type adminMemberRow struct {
	account.Member
	Owner   bool
	Unruled bool
}

func adminMemberRows(members []account.Member, rules []rbac.Rule) []adminMemberRow {
	owners := map[string]bool{}
	for _, r := range rules {
		if r.PType == "g" && r.OwnerRule() {
			owners[r.Subject] = true
		}
	}
	rows := make([]adminMemberRow, len(members))
	for i, m := range members {
		rows[i] = adminMemberRow{Member: m, Owner: owners[m.ID], Unruled: m.Role == account.RoleOwner && !owners[m.ID]}
	}
	return rows
}

package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rights"
)

// activityPage is the number of events the activity log shows at once.
const activityPage = 50

// activityKeys gives, for each action of the trail, the sentence that
// tells it and the name of the action in the filter.
var activityKeys = map[string][2]string{
	audit.AccountCreated:      {"activity_account_created", "activity_kind_account_created"},
	audit.SignIn:              {"activity_signin", "activity_kind_signin"},
	audit.SignInFailed:        {"activity_signin_failed", "activity_kind_signin_failed"},
	audit.MemberInvited:       {"activity_member_invited", "activity_kind_member_invited"},
	audit.InvitationResent:    {"activity_invitation_resent", "activity_kind_invitation_resent"},
	audit.InvitationRevoked:   {"activity_invitation_revoked", "activity_kind_invitation_revoked"},
	audit.InvitationAccepted:  {"activity_invitation_accepted", "activity_kind_invitation_accepted"},
	audit.RightsChanged:       {"activity_rights_changed", "activity_kind_rights_changed"},
	audit.MemberDisabled:      {"activity_member_disabled", "activity_kind_member_disabled"},
	audit.MemberEnabled:       {"activity_member_enabled", "activity_kind_member_enabled"},
	audit.MemberDeleted:       {"activity_member_deleted", "activity_kind_member_deleted"},
	audit.PolicyChanged:       {"activity_policy_changed", "activity_kind_policy_changed"},
	audit.TemplateChanged:     {"activity_template_changed", "activity_kind_template_changed"},
	audit.PasswordChanged:     {"activity_password_changed", "activity_kind_password_changed"},
	audit.PasswordResetAsked:  {"activity_password_reset_requested", "activity_kind_password_reset_requested"},
	audit.PasswordReset:       {"activity_password_reset", "activity_kind_password_reset"},
	audit.SecondFactorAdded:   {"activity_mfa_added", "activity_kind_mfa_added"},
	audit.SecondFactorRemoved: {"activity_mfa_removed", "activity_kind_mfa_removed"},
	audit.SecondFactorReset:   {"activity_mfa_reset", "activity_kind_mfa_reset"},
	audit.SecondFactorFailed:  {"activity_mfa_failed", "activity_kind_mfa_failed"},
	audit.RecoveryCodesNew:    {"activity_recovery_codes_new", "activity_kind_recovery_codes_new"},
	audit.RecoveryCodeUsed:    {"activity_recovery_code_used", "activity_kind_recovery_code_used"},
	audit.MFAPolicyChanged:    {"activity_mfa_policy_on", "activity_kind_mfa_policy"},
}

// activityRow is one event of the log, told as a sentence.
type activityRow struct {
	When     string // in the display time zone
	Stamp    string // RFC 3339, for <time datetime>
	Sentence string
	IP       string
	Code     string // the action's code, which the admin pages show too
}

type activityOption struct {
	Value, Label string
	Selected     bool
}

type activityView struct {
	Activity []activityRow
	Actors   []activityOption
	Actions  []activityOption
	From     string // as typed, YYYY-MM-DD
	To       string
	Filters  string // the query of the filters, for the next page and the export
	Next     string // the next page's address, or ""
	Zone     string
	Error    string
}

// activityFilter reads the filters of the log's address: who (an email),
// action, from and to (days of the display time zone, both included),
// before (the page).
func (s *Server) activityFilter(c *gin.Context) (audit.Filter, error) {
	f := audit.Filter{Actor: strings.TrimSpace(c.Query("who")), Action: c.Query("action")}
	if _, ok := activityKeys[f.Action]; !ok {
		f.Action = ""
	}
	zone := s.Zone
	if zone == nil {
		zone = time.UTC
	}
	for _, d := range []struct {
		name string
		into *time.Time
		add  int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		raw := strings.TrimSpace(c.Query(d.name))
		if raw == "" {
			continue
		}
		day, err := time.ParseInLocation("2006-01-02", raw, zone)
		if err != nil {
			return f, badRequest("invalid_date", "activity_bad_date")
		}
		*d.into = day.AddDate(0, 0, d.add)
	}
	if n, err := strconv.ParseInt(c.Query("before"), 10, 64); err == nil && n > 0 {
		f.Before = n
	}
	return f, nil
}

// activityRows tells events as sentences in the reader's language, with
// the members' emails in place of their IDs.
func (s *Server) activityRows(c *gin.Context, events []audit.Event, people map[string]string) []activityRow {
	d := s.dates(c)
	rows := make([]activityRow, len(events))
	for i, e := range events {
		rows[i] = activityRow{When: d.Stamp(e.CreatedAt), Stamp: e.CreatedAt.UTC().Format(time.RFC3339), Sentence: s.activitySentence(c, e, people), IP: e.IP, Code: e.Action}
	}
	return rows
}

// activitySentence tells one event.
func (s *Server) activitySentence(c *gin.Context, e audit.Event, people map[string]string) string {
	name := func(v string) string {
		if email, ok := people[v]; ok {
			return email
		}
		if v == members.OperatorEmail {
			return s.msg(c, "actor_operator")
		}
		return v
	}
	who := name(e.ActorEmail)
	if who == "" {
		who = name(e.ActorID)
	}
	if who == "" {
		who = s.msg(c, "activity_nobody")
	}
	target := name(e.Target)
	keys, ok := activityKeys[e.Action]
	if !ok {
		return s.msg(c, "activity_other", "Who", who)
	}
	key := keys[0]
	switch {
	case e.Action == audit.AccountCreated:
		target = name(strings.TrimPrefix(e.Detail, "owner "))
	case e.Action == audit.InvitationRevoked && e.Detail == "sender_lost_rights":
		key = "activity_invitation_revoked_sender"
	case e.Action == audit.SignIn && e.Detail == "admin":
		key = "activity_signin_admin"
	case e.Action == audit.SecondFactorAdded && strings.HasPrefix(e.Detail, "passkey"):
		key = "activity_mfa_added_passkey"
	case e.Action == audit.SecondFactorRemoved && e.Detail == "totp":
		key = "activity_mfa_removed_totp"
	case e.Action == audit.MFAPolicyChanged && e.Detail == "require_mfa=false":
		key = "activity_mfa_policy_off"
	}
	return s.msg(c, key, "Who", who, "Target", target, "Rights", s.activityRights(c, e.Detail))
}

// activityRights names the rights of an invitation or a change (their
// JSON in the event's detail).
func (s *Server) activityRights(c *gin.Context, detail string) string {
	var grants []rights.Grant
	if !strings.HasPrefix(detail, "[") || json.Unmarshal([]byte(detail), &grants) != nil {
		return ""
	}
	if len(grants) == 0 {
		return s.msg(c, "activity_no_rights")
	}
	lang := langOf(c)
	names := make([]string, len(grants))
	for i, g := range grants {
		right, resource, _ := strings.Cut(g.Right, ":")
		action, resource, _ := strings.Cut(resource, ":")
		label := s.adminRightLabel(c, lang, right+":"+action)
		if resource != "" {
			label += " (" + resource + ")"
		}
		if g.ExpiresAt != nil {
			label += " " + s.msg(c, "activity_until", "Date", s.dates(c).DateTime(*g.ExpiresAt))
		}
		names[i] = label
	}
	return strings.Join(names, ", ")
}

// activityPeople maps the account's members' IDs to their emails.
func (s *Server) activityPeople(c *gin.Context, accountID string) (map[string]string, error) {
	list, err := s.Accounts.Members(c.Request.Context(), accountID)
	if err != nil {
		return nil, err
	}
	people := make(map[string]string, len(list))
	for _, m := range list {
		people[m.ID] = m.Email
	}
	return people, nil
}

// auditPage is the account's activity log: sentences, newest first,
// filtered by person, action and days, a page at a time.
func (s *Server) auditPage(c *gin.Context) error {
	a := actorOf(c)
	ctx := c.Request.Context()
	v := activityView{From: c.Query("from"), To: c.Query("to"), Zone: s.dates(c).ZoneName(s.Now())}
	f, ferr := s.activityFilter(c)
	actors, err := s.Members.AuditActors(ctx, a, a.AccountID)
	if err != nil {
		return err
	}
	for _, email := range actors {
		v.Actors = append(v.Actors, activityOption{Value: email, Label: s.personName(c, email), Selected: strings.EqualFold(email, f.Actor)})
	}
	for _, action := range audit.Actions() {
		v.Actions = append(v.Actions, activityOption{Value: action, Label: s.msg(c, activityKeys[action][1]), Selected: action == f.Action})
	}
	q := url.Values{}
	for _, k := range []string{"who", "action", "from", "to"} {
		if val := c.Query(k); val != "" {
			q.Set(k, val)
		}
	}
	v.Filters = q.Encode()
	status := http.StatusOK
	if ferr != nil {
		e := s.classify(c, ferr)
		v.Error, status = s.message(c, e), e.Status
		s.render(c, status, "audit", "audit_title", v)
		return nil
	}
	f.Limit = activityPage
	events, more, err := s.Members.AuditQuery(ctx, a, a.AccountID, f)
	if err != nil {
		return err
	}
	people, err := s.activityPeople(c, a.AccountID)
	if err != nil {
		return err
	}
	v.Activity = s.activityRows(c, events, people)
	if more && len(events) > 0 {
		q.Set("before", strconv.FormatInt(events[len(events)-1].ID, 10))
		v.Next = "/console/audit?" + q.Encode()
	}
	s.render(c, status, "audit", "audit_title", v)
	return nil
}

// personName is an email as the log shows it (the operator in words).
func (s *Server) personName(c *gin.Context, email string) string {
	if email == members.OperatorEmail {
		return s.msg(c, "actor_operator")
	}
	return email
}

// auditCSV exports the filtered log (at most audit.MaxPage events) as
// CSV: time (RFC 3339, display zone), person, action code, sentence,
// IP address.
func (s *Server) auditCSV(c *gin.Context) error {
	a := actorOf(c)
	f, err := s.activityFilter(c)
	if err != nil {
		return err
	}
	f.Limit, f.Before = audit.MaxPage, 0
	events, _, err := s.Members.AuditQuery(c.Request.Context(), a, a.AccountID, f)
	if err != nil {
		return err
	}
	people, err := s.activityPeople(c, a.AccountID)
	if err != nil {
		return err
	}
	zone := s.Zone
	if zone == nil {
		zone = time.UTC
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="activite-`+a.AccountID+`.csv"`)
	c.Header("Cache-Control", "no-store")
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{s.msg(c, "activity_csv_when"), s.msg(c, "activity_csv_who"), s.msg(c, "activity_csv_action"), s.msg(c, "activity_csv_what"), s.msg(c, "audit_ip")})
	for _, e := range events {
		_ = w.Write([]string{e.CreatedAt.In(zone).Format(time.RFC3339), csvSafe(s.personName(c, e.ActorEmail)), e.Action, csvSafe(s.activitySentence(c, e, people)), e.IP})
	}
	w.Flush()
	return w.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

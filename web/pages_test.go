package web

import (
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	sesevents "github.com/sesame-idp/sesame/events"
	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// pageServer is a Server with only what rendering needs: pages, catalog,
// clock and display zone (Africa/Douala, UTC+1).
func pageServer(t *testing.T) *Server {
	t.Helper()
	gin.SetMode(gin.TestMode)
	p, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	zone, err := i18n.LoadZone("Africa/Douala")
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	return &Server{Deps: Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now, Zone: zone}, pages: p, catalog: cat}
}

// renderPage renders page name with data in lang as a handler would.
func renderPage(t *testing.T, s *Server, lang i18n.Lang, name string, data any) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, "/"+name, nil)
	c.Set(langKey, lang)
	s.render(c, http.StatusOK, name, name+"_title", data)
	return w.Code, w.Body.String()
}

// TestPagesRender renders every page in both languages with data that
// walks through their loops, partials and dates: a template that names a
// missing field, partial or function fails here rather than in production.
func TestPagesRender(t *testing.T) {
	s := pageServer(t)
	at := time.Date(2026, 3, 1, 13, 5, 9, 0, time.UTC) // 14:05:09 in Douala
	later := at.Add(72 * time.Hour)
	admin := account.Admin{ID: "adm", Email: "root@example.cm"}
	acct := account.Account{ID: "id482913", Name: "Boulangerie <Ndolo>", CreatedAt: at}
	member := account.Member{ID: "m1", Email: "awa@example.cm", LastLoginAt: &at}
	events := []activityRow{{When: "1er mars 2026 à 14 h 05", Stamp: "2026-03-01T13:05:09Z", Sentence: "awa@example.cm a invité binta@example.cm.", IP: "192.0.2.1"}}
	rules := []passwordRule{{Code: "too_short", Message: "x"}}
	pages := map[string]any{
		"account": accountView{Member: member, Account: acct, CanManage: true, Rights: []string{"x"}, Flash: "ok", Consents: []sqlstore.Consent{{ClientID: "c", ClientName: "C"}},
			Products: []sqlstore.ProductLink{{ClientID: "server-panel", Name: "Serveurs", URI: "https://servers.example/", Product: "server"}}},
		"admin_account": adminAccountView{Admin: admin, Account: acct, Members: []adminMemberRow{{Member: member, Unruled: true}}, Activity: events, Rules: []adminRuleRow{{Rule: rbac.Rule{PType: "p", Subject: "m1", Action: "domain:dns", Object: "*"}, Expiry: "x", Expired: true}, {Rule: rbac.Rule{PType: "g", Subject: "m1", Role: "role:owner"}, Protected: true}}},
		"admin_deliveries": adminDeliveriesView{Admin: admin, Deliveries: []sesevents.Delivery{
			{Kind: sesevents.KindLogout, SID: "s", State: sesevents.StatePending, NextAttemptAt: &later, LastError: "HTTP 503"},
			{Kind: sesevents.KindLogout, State: sesevents.StateDelivered}, {Kind: sesevents.KindRights, State: sesevents.StateFailed}}},
		"admin_sessions":  adminSessionsView{Admin: admin, Account: acct, Member: member, Sessions: []account.MemberSession{{SID: "s", Clients: []string{"panel"}}}},
		"admin_error":     errorView{Message: "m"},
		"admin_explain":   adminExplainView{Admin: admin, AccountID: acct.ID, Members: []account.Member{member}, Result: &rbac.Explanation{Allowed: true}},
		"admin_home":      adminHomeView{Admin: admin, Activity: events, Templates: []adminTemplateRow{{Name: "Technicien", Labels: []string{"DNS"}}}},
		"admin_login":     adminLoginView{Member: true},
		"admin_templates": adminTemplatesView{Admin: admin, Templates: []adminTemplateRow{{Template: rbac.Template{ID: "t", UpdatedAt: at}, Name: "T"}}},
		"audit":           activityView{Activity: events, Next: "/console/audit?before=1", Error: "x", Actors: []activityOption{{Value: "a@example.cm", Label: "a@example.cm", Selected: true}}},
		"confirm":         confirmView{Question: s.catalog.HTML(i18n.French, "member_delete_question", "Email", "<b>x</b>")},
		"consent":         consentView{ClientName: "Panel <DNS>", Email: "awa@example.cm", AccountID: acct.ID, Scopes: []string{"openid", "email", "other", consentRights}},
		"console": consoleView{Account: acct, TTLHours: 72, Members: []memberRow{{LoginAccount: members.LoginAccount{Member: member}}},
			Invitations: []invitationRow{{Invitation: members.Invitation{ID: "i1", Email: "binta@example.cm", Status: "pending", CreatedAt: at, ExpiresAt: later}, Mail: "console_mail_queued"}}},
		"error":           errorView{Message: "m"},
		"invitation":      setPasswordView{Token: "t", Rules: rules},
		"invitation_edit": invitationEditView{Invitation: members.Invitation{ID: "i1", Email: "binta@example.cm", ExpiresAt: later}, Error: "x"},
		"login":           loginView{Tab: "member"},
		"logout":          logoutView{},
		"member":          memberView{Member: members.LoginAccount{Member: member}, OwnerSeesSessions: true, SessionsFlash: "ok", Sessions: []ownSession{{Browser: "Firefox"}}},
		"password":        changePasswordView{Rules: rules},
		"reset_password":  resetView{Token: "t", Rules: rules},
		"reset_request":   resetRequestView{},
		"signed_out":      nil,
		"second_step":     secondStepView{Pending: "p", Error: "e"},
		"security":        securityView{URI: "otpauth://totp/x?secret=A", QR: "data:image/png;base64,AA", Action: pathLoginEnrol, Pending: "p", Error: "e"},
		"recovery_codes":  recoveryCodesView{Codes: []string{"abcde-fghjk"}, Continue: "/account"},
		"sessions":        ownSessionsView{Sessions: []ownSession{{Browser: "Chrome", System: "Android", Products: []string{"Panel"}, Current: true}, {}}, Others: true, Flash: "ok"},
	}
	for name := range s.pages.byName {
		if _, ok := pages[name]; !ok {
			t.Errorf("page %s has no case in this test", name)
		}
	}
	for name, data := range pages {
		for _, lang := range i18n.Languages {
			t.Run(name+"/"+string(lang), func(t *testing.T) {
				code, body := renderPage(t, s, lang, name, data)
				if code != http.StatusOK {
					t.Fatalf("status %d: %s", code, body)
				}
				if !strings.Contains(body, `<html lang="`+string(lang)+`">`) {
					t.Errorf("page not marked as %s", lang)
				}
				// A message whose key is unknown or whose placeholder got
				// no value is written as its key.
				for _, k := range s.catalog.Keys(lang) {
					if regexp.MustCompile(`[>"]` + k + `[<"]`).MatchString(body) {
						t.Errorf("the page shows the key %s instead of its message", k)
					}
				}
				if strings.Contains(body, "<Ndolo>") || strings.Contains(body, "<DNS>") || strings.Contains(body, "<b>x</b>") {
					t.Errorf("an argument of a message reached the page unescaped")
				}
			})
		}
	}
}

// TestPagesSharePartials checks the shared markup is where it belongs:
// the new-password fields, the administration header and the audit table.
func TestPagesSharePartials(t *testing.T) {
	s := pageServer(t)
	admin := account.Admin{Email: "root@example.cm"}
	for _, tc := range []struct {
		name, page, want string
		data             any
	}{
		{"set password", "invitation", `name="password_confirm"`, setPasswordView{}},
		{"change password", "password", `name="password_confirm"`, changePasswordView{}},
		{"reset", "reset_password", `name="password_confirm"`, resetView{}},
		{"admin home header", "admin_home", `action="/admin/logout"`, adminHomeView{Admin: admin}},
		{"admin templates header", "admin_templates", `action="/admin/logout"`, adminTemplatesView{Admin: admin}},
		{"admin explain header", "admin_explain", `action="/admin/logout"`, adminExplainView{Admin: admin}},
		{"admin account header", "admin_account", `href="/admin/explain?account_id=id1"`, adminAccountView{Admin: admin, Account: account.Account{ID: "id1"}}},
		{"console audit", "audit", `Aucune activité`, activityView{}},
		{"platform audit", "admin_home", `Aucune activité`, adminHomeView{Admin: admin}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, body := renderPage(t, s, i18n.French, tc.page, tc.data)
			if !strings.Contains(body, tc.want) {
				t.Errorf("%s lacks %q", tc.page, tc.want)
			}
		})
	}
}

// TestPagesDates checks that dates follow the reader's language and the
// display time zone, and that sentences are whole in both languages.
func TestPagesDates(t *testing.T) {
	s := pageServer(t)
	at := time.Date(2026, 3, 1, 13, 5, 9, 0, time.UTC)
	for _, tc := range []struct {
		lang i18n.Lang
		page string
		data any
		want []string
	}{
		{i18n.French, "audit", activityView{}, []string{"Date (WAT)"}},
		{i18n.French, "member", memberView{Member: members.LoginAccount{Member: account.Member{Email: "a@example.cm", LastLoginAt: &at}}},
			[]string{"1er mars 2026 à 14 h 05 (WAT)"}},
		{i18n.French, "console", consoleView{TTLHours: 1}, []string{"au bout de 1 heure."}},
		{i18n.English, "console", consoleView{TTLHours: 72}, []string{"expires after 72 hours."}},
		{i18n.English, "member", memberView{Member: members.LoginAccount{Member: account.Member{Email: "a@example.cm", LastLoginAt: &at}}},
			[]string{"1 March 2026 at 14:05 (WAT)", `Login account <span class="email">a@example.cm</span>`}},
	} {
		t.Run(tc.page+"/"+string(tc.lang), func(t *testing.T) {
			_, body := renderPage(t, s, tc.lang, tc.page, tc.data)
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
)

// adminAuditLimit is how many audit events the admin pages show.
const adminAuditLimit = 100

type adminHomeView struct {
	Admin     account.Admin
	AccountID string
	Error     string
	Flash     string
	Templates []adminTemplateRow
	Activity  []activityRow // platform-wide: template changes, admins' sign-ins
}

func (s *Server) adminHomeData(c *gin.Context) (adminHomeView, error) {
	ctx := c.Request.Context()
	v := adminHomeView{Admin: adminOf(c), Flash: s.adminFlash(c)}
	var err error
	if v.Templates, err = s.adminTemplateRows(c); err != nil {
		return v, err
	}
	events, err := s.Audit.List(ctx, "", adminAuditLimit)
	if err != nil {
		return v, err
	}
	v.Activity = s.activityRows(c, events, nil)
	return v, nil
}

// adminHome is the admins' start page: find an account, the role
// templates, the platform's audit trail.
func (s *Server) adminHome(c *gin.Context) error {
	v, err := s.adminHomeData(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "admin_home", "admin_home_title", v)
	return nil
}

// adminFindAccount answers the home page's look-up form (a GET form: it
// changes nothing) by going to the account's page.
func (s *Server) adminFindAccount(c *gin.Context) error {
	raw := strings.TrimSpace(c.Query("account_id"))
	acct, err := s.Accounts.Account(c.Request.Context(), raw)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/admin/accounts/"+url.PathEscape(acct.ID))
		return nil
	}
	if !errors.Is(err, account.ErrNotFound) {
		return err
	}
	v, err := s.adminHomeData(c)
	if err != nil {
		return err
	}
	v.AccountID, v.Error = raw, s.msg(c, "admin_account_unknown")
	s.render(c, http.StatusNotFound, "admin_home", "admin_home_title", v)
	return nil
}

// adminRuleForm holds what was typed in an add-rule form.
type adminRuleForm struct {
	Subject, Role, Object, Action, Expires string
}

type adminAccountView struct {
	Admin   account.Admin
	Account account.Account
	Members []adminMemberRow
	Rules   []adminRuleRow
	Roles   []string // roles named by the account's rules
	Catalog []adminRightGroup
	Grant   adminRuleForm // the "grant a right" form
	Give    adminRuleForm // the "give a role" form
	// Error is shown by the form named ErrorForm ("p", "g" or "remove").
	Error     string
	Detail    string
	ErrorForm string
	Flash     string
	Activity  []activityRow
}

// adminAccount returns the account named by the path, or ErrNotFound.
func (s *Server) adminAccount(c *gin.Context) (account.Account, error) {
	return s.Accounts.Account(c.Request.Context(), c.Param("account_id"))
}

func (s *Server) adminAccountData(c *gin.Context, acct account.Account) (adminAccountView, error) {
	ctx := c.Request.Context()
	v := adminAccountView{Admin: adminOf(c), Account: acct, Catalog: adminCatalog(langOf(c)), Flash: s.adminFlash(c)}
	members, err := s.Accounts.Members(ctx, acct.ID)
	if err != nil {
		return v, err
	}
	rules, err := s.Rights.Policies(ctx, acct.ID)
	if err != nil {
		return v, err
	}
	v.Members, v.Rules = adminMemberRows(members, rules), s.adminRuleRows(c, rules, members)
	for _, r := range rules {
		for _, name := range []string{r.Subject, r.Role} {
			if strings.HasPrefix(name, adminRolePrefix) && !slices.Contains(v.Roles, name) {
				v.Roles = append(v.Roles, name)
			}
		}
	}
	slices.Sort(v.Roles)
	events, err := s.Audit.List(ctx, acct.ID, adminAuditLimit)
	if err != nil {
		return v, err
	}
	people := make(map[string]string, len(members))
	for _, m := range members {
		people[m.ID] = m.Email
	}
	v.Activity = s.activityRows(c, events, people)
	return v, nil
}

// adminAccountPage shows an account's rules, members and audit trail, with
// the forms that change the rules.
func (s *Server) adminAccountPage(c *gin.Context) error {
	acct, err := s.adminAccount(c)
	if err != nil {
		return err
	}
	v, err := s.adminAccountData(c, acct)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "admin_account", "admin_account_page_title", v)
	return nil
}

// adminAddRule adds the rule of the "grant a right" or "give a role" form.
func (s *Server) adminAddRule(c *gin.Context) error {
	return s.adminEditRule(c, true)
}

// adminRemoveRule removes the rule of a remove button (its exact fields).
func (s *Server) adminRemoveRule(c *gin.Context) error {
	return s.adminEditRule(c, false)
}

func (s *Server) adminEditRule(c *gin.Context, add bool) error {
	ctx := c.Request.Context()
	acct, err := s.adminAccount(c)
	if err != nil {
		return err
	}
	r, err := adminRuleFromForm(c)
	if err == nil {
		r, err = s.adminPrepareRule(ctx, acct, r, add)
	}
	if err == nil {
		if add {
			err = s.Rights.AddRule(ctx, adminActor(c), acct.ID, r)
		} else {
			err = s.Rights.RemoveRule(ctx, adminActor(c), acct.ID, r)
		}
	}
	if err != nil {
		return s.adminRuleFailed(c, acct, err, add)
	}
	done := "admin_done_rule_removed"
	if add {
		done = "admin_done_rule_added"
	}
	c.Redirect(http.StatusSeeOther, "/admin/accounts/"+url.PathEscape(acct.ID)+"?done="+done)
	return nil
}

// adminRuleFailed shows the account page again with the error next to the
// form that was sent and what was typed in it. A failure of the service
// is the error page's.
func (s *Server) adminRuleFailed(c *gin.Context, acct account.Account, err error, add bool) error {
	e := s.classify(c, err)
	if e.Status >= http.StatusInternalServerError {
		return e
	}
	v, err := s.adminAccountData(c, acct)
	if err != nil {
		return err
	}
	v.Flash = ""
	v.Error, v.Detail = s.message(c, e), s.detail(c, e)
	typed := adminRuleForm{
		Subject: c.PostForm("subject"), Role: c.PostForm("role"), Object: c.PostForm("object"),
		Action: c.PostForm("action"), Expires: c.PostForm("expires_at"),
	}
	switch {
	case !add:
		v.ErrorForm = "remove"
	case c.PostForm("ptype") == "g":
		v.ErrorForm, v.Give = "g", typed
	default:
		v.ErrorForm, v.Grant = "p", typed
	}
	s.render(c, e.Status, "admin_account", "admin_account_page_title", v)
	return nil
}

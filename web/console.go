package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/mail"
	"github.com/sesame-idp/sesame/members"
)

// The console "Gestion des connexions": HTML forms over the same members
// service as the JSON API. Every form posts and redirects (no JavaScript
// needed); errors re-render the page with the message next to the field.
func (s *Server) mountConsole(r gin.IRouter) {
	g := r.Group("/console", s.requireConsole)
	g.GET("", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/console/members") })
	g.GET("/members", s.consolePage)
	g.POST("/invitations", s.consoleInvite)
	g.POST("/invitations/:id/resend", s.consoleResend)
	g.POST("/invitations/:id/revoke", s.consoleRevoke)
	g.GET("/members/:id", s.memberPage)
	g.POST("/members/:id/rights", s.memberRights)
	g.POST("/members/:id/disable", s.memberDisable(true))
	g.POST("/members/:id/enable", s.memberDisable(false))
	g.POST("/members/:id/delete", s.memberDelete)
	g.GET("/audit", s.auditPage)
}

// requireConsole lets in the signed-in owner and the login accounts that
// hold members:manage; others are sent to sign in or told they may not.
func (s *Server) requireConsole(c *gin.Context) {
	a, err := s.actor(c, "")
	if err != nil {
		c.Redirect(http.StatusSeeOther, "/login")
		c.Abort()
		return
	}
	if !a.CanManage(a.AccountID) {
		s.errorPage(c, http.StatusForbidden, "console_forbidden")
		c.Abort()
		return
	}
}

type memberRow struct {
	members.LoginAccount
	Rights []string // labels
}

type invitationRow struct {
	members.Invitation
	Rights []string
	Mail   string // message key of the mail's state
}

type consoleView struct {
	Actor       members.Actor
	Account     account.Account
	Members     []memberRow
	Invitations []invitationRow
	Groups      []rightGroup
	Email       string
	Narrowed    string
	Templates   []templateOption
	Flash       string
	Error       string
	ErrorField  string
	TTLHours    int
}

// templateOption is a role template the actor may apply: its rights are
// added to the ticked ones.
type templateOption struct {
	ID     string
	Name   string
	Rights string
}

func (s *Server) consoleData(c *gin.Context) (consoleView, error) {
	ctx, a := c.Request.Context(), actorOf(c)
	lang := langOf(c)
	acct, err := s.Accounts.Account(ctx, a.AccountID)
	if err != nil {
		return consoleView{}, err
	}
	list, err := s.Members.List(ctx, a, a.AccountID)
	if err != nil {
		return consoleView{}, err
	}
	invs, err := s.Members.Invitations(ctx, a, a.AccountID)
	if err != nil {
		return consoleView{}, err
	}
	v := consoleView{Actor: a, Account: acct, Groups: s.rightGroups(lang, a, nil), TTLHours: int(s.Members.InvitationTTL().Hours())}
	if v.Templates, err = s.templateOptions(ctx, lang, a); err != nil {
		return consoleView{}, err
	}
	for _, m := range list {
		v.Members = append(v.Members, memberRow{LoginAccount: m, Rights: s.rightLabels(lang, m.Grants)})
	}
	for _, inv := range invs {
		if inv.Status == members.InvitationAccepted {
			continue
		}
		v.Invitations = append(v.Invitations, invitationRow{Invitation: inv, Rights: s.rightLabels(lang, inv.Grants), Mail: s.mailState(ctx, inv)})
	}
	if k := c.Query("done"); k != "" && strings.HasPrefix(k, "console_done_") {
		v.Flash = s.msg(c, k)
	}
	return v, nil
}

func (s *Server) mailState(ctx context.Context, inv members.Invitation) string {
	if inv.MailID == nil || inv.Status != members.InvitationPending {
		return ""
	}
	d, err := s.Outbox.Status(ctx, *inv.MailID)
	if err != nil {
		return ""
	}
	switch d.State {
	case mail.StateSent:
		return "console_mail_sent"
	case mail.StateFailing:
		return "console_mail_retrying"
	case mail.StateFailed:
		return "console_mail_failed"
	}
	return "console_mail_queued"
}

func (s *Server) consolePage(c *gin.Context) {
	v, err := s.consoleData(c)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	s.render(c, http.StatusOK, "console", "console_title", v)
}

// pageFail shows the error of a console action as a page.
func (s *Server) pageFail(c *gin.Context, err error) {
	status, _, msg := s.classify(c, err)
	s.render(c, status, "error", "error_title", errorView{Message: msg, Status: status})
}

func (s *Server) consoleInvite(c *gin.Context) {
	a := actorOf(c)
	grants, err := s.withTemplate(c, formGrants(c, nil))
	if err == nil {
		_, err = s.Members.Invite(c.Request.Context(), a, members.InviteRequest{
			AccountID: a.AccountID, Email: c.PostForm("email"), Grants: grants, Lang: langOf(c),
		})
	}
	if err != nil {
		v, derr := s.consoleData(c)
		if derr != nil {
			s.pageFail(c, derr)
			return
		}
		status, _, msg := s.classify(c, err)
		v.Error, v.Email, v.Narrowed = msg, c.PostForm("email"), c.PostForm("narrowed")
		var inv *members.InvalidError
		switch {
		case errors.As(err, &inv):
			v.ErrorField = inv.Field
			switch inv.Field {
			case "email":
				v.Error = s.msg(c, "console_invalid_email")
			case "rights":
				v.Error = s.msg(c, "console_invalid_rights", "Detail", inv.Err.Error())
			case "template":
				v.Error = s.msg(c, "console_invalid_template")
			}
		case errors.Is(err, members.ErrAlreadyMember), errors.Is(err, members.ErrAlreadyInvited):
			v.ErrorField = "email"
		}
		s.render(c, status, "console", "console_title", v)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_invited")
}

func (s *Server) consoleResend(c *gin.Context) {
	a := actorOf(c)
	if _, err := s.Members.Resend(c.Request.Context(), a, a.AccountID, c.Param("id"), langOf(c)); err != nil {
		s.pageFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_resent")
}

func (s *Server) consoleRevoke(c *gin.Context) {
	a := actorOf(c)
	if err := s.Members.Revoke(c.Request.Context(), a, a.AccountID, c.Param("id")); err != nil {
		s.pageFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_revoked")
}

type memberView struct {
	Member    members.LoginAccount
	Groups    []rightGroup
	Templates []templateOption
	Narrowed  string
	Error     string
}

func (s *Server) memberPage(c *gin.Context) {
	a := actorOf(c)
	m, err := s.Members.Get(c.Request.Context(), a, a.AccountID, c.Param("id"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	ts, err := s.templateOptions(c.Request.Context(), langOf(c), a)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	s.render(c, http.StatusOK, "member", "member_title", memberView{
		Member: m, Groups: s.rightGroups(langOf(c), a, m.Grants), Templates: ts, Narrowed: narrowed(m.Grants),
	})
}

func (s *Server) memberRights(c *gin.Context) {
	ctx, a, id := c.Request.Context(), actorOf(c), c.Param("id")
	m, err := s.Members.Get(ctx, a, a.AccountID, id)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	grants, err := s.withTemplate(c, formGrants(c, m.Grants))
	if err == nil {
		err = s.Members.SetGrants(ctx, a, a.AccountID, id, grants)
	}
	if err != nil {
		status, _, msg := s.classify(c, err)
		ts, _ := s.templateOptions(ctx, langOf(c), a)
		s.render(c, status, "member", "member_title", memberView{
			Member: m, Groups: s.rightGroups(langOf(c), a, grants), Templates: ts, Narrowed: c.PostForm("narrowed"), Error: msg,
		})
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_rights")
}

func (s *Server) memberDisable(disabled bool) gin.HandlerFunc {
	done := "console_done_enabled"
	if disabled {
		done = "console_done_disabled"
	}
	return func(c *gin.Context) {
		a := actorOf(c)
		if err := s.Members.SetDisabled(c.Request.Context(), a, a.AccountID, c.Param("id"), disabled); err != nil {
			s.pageFail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/console/members?done="+url.QueryEscape(done))
	}
}

// confirmView is the confirmation page of a destructive form sent
// without JavaScript (which asks in a dialog instead).
type confirmView struct {
	Question            template.HTML // names what is deleted, in bold
	Consequence, Submit string
	Action, Cancel      string
}

func (s *Server) memberDelete(c *gin.Context) {
	a := actorOf(c)
	if c.PostForm("confirmed") != "yes" {
		m, err := s.Members.Get(c.Request.Context(), a, a.AccountID, c.Param("id"))
		if err != nil {
			s.pageFail(c, err)
			return
		}
		s.render(c, http.StatusOK, "confirm", "confirm_title", confirmView{
			Question: s.msgHTML(c, "member_delete_question", "Email", m.Email), Consequence: s.msg(c, "member_delete_consequence"),
			Submit: s.msg(c, "member_delete"), Action: "/console/members/" + m.ID + "/delete", Cancel: "/console/members/" + m.ID,
		})
		return
	}
	if err := s.Members.Delete(c.Request.Context(), a, a.AccountID, c.Param("id")); err != nil {
		s.pageFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_deleted")
}

func (s *Server) auditPage(c *gin.Context) {
	a := actorOf(c)
	events, err := s.Members.Audit(c.Request.Context(), a, a.AccountID, 200)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	s.render(c, http.StatusOK, "audit", "audit_title", map[string]any{"Events": events})
}

package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
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
	g := r.Group("/console", s.page(s.requireConsole))
	g.GET("", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/console/members") })
	g.GET("/members", s.page(s.consolePage))
	g.POST("/invitations", s.page(s.consoleInvite))
	g.POST("/invitations/:id/resend", s.page(s.consoleResend))
	g.POST("/invitations/:id/revoke", s.page(s.consoleRevoke))
	g.GET("/invitations/:id", s.page(s.invitationEditPage))
	g.POST("/invitations/:id/rights", s.page(s.invitationEditSubmit))
	g.GET("/members/:id", s.page(s.memberPage))
	g.POST("/members/:id/rights", s.page(s.memberRights))
	g.POST("/members/:id/disable", s.page(s.memberDisable(true)))
	g.POST("/members/:id/enable", s.page(s.memberDisable(false)))
	g.POST("/members/:id/delete", s.page(s.memberDelete))
	g.POST("/members-bulk/disable", s.page(s.consoleBulkDisable))
	g.GET("/audit", s.page(s.auditPage))
	g.GET("/audit.csv", s.page(s.auditCSV))
}

// requireConsole lets in the signed-in owner and the login accounts that
// hold members:manage; others are sent to sign in or told they may not.
func (s *Server) requireConsole(c *gin.Context) error {
	a, err := s.actor(c, "")
	if errors.Is(err, errNoActor) {
		c.Redirect(http.StatusSeeOther, "/login")
		c.Abort()
		return nil
	} else if err != nil {
		return err
	}
	if !a.CanManage(a.AccountID) {
		return forbidden("forbidden", "console_forbidden")
	}
	return nil
}

type memberRow struct {
	members.LoginAccount
	Rights []string // labels
	MFA    bool     // has a second factor
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
	List        memberListState // search, filters and page of Members
	RequireMFA  bool            // the owner's policy
}

// templateOption is a role template the actor may apply: its rights are
// added to the ticked ones.
type templateOption struct {
	ID     string
	Name   string
	Rights string // comma-separated, as sesame.js reads it to tick the boxes
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
	v.Members, v.List = s.filterMembers(c, v.Members)
	for _, inv := range invs {
		if inv.Status == members.InvitationAccepted {
			continue
		}
		v.Invitations = append(v.Invitations, invitationRow{Invitation: inv, Rights: s.rightLabels(lang, inv.Grants), Mail: s.mailState(ctx, inv)})
	}
	if err := s.consoleMFA(c, &v); err != nil {
		return consoleView{}, err
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

func (s *Server) consolePage(c *gin.Context) error {
	v, err := s.consoleData(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "console", "console_title", v)
	return nil
}

// consoleInvite sends an invitation; a refusal shows the console again
// with the message next to the field at fault.
func (s *Server) consoleInvite(c *gin.Context) error {
	a := actorOf(c)
	grants, err := s.withTemplate(c, formGrants(c, nil))
	if r := formOnlyEmpty(c); err == nil && r != "" {
		err = badRequest("resource_missing", "console_only_empty").with("Right", r)
	}
	if _, bad := account.NormalizeEmail(c.PostForm("email")); err == nil && bad == nil && len(grants) == 0 && c.PostForm("no_rights") != "yes" {
		// Held back only once the rest is right: a wrong address is told first.
		err = badRequest("no_rights", "console_no_rights_warning")
	}
	if err == nil {
		_, err = s.Members.Invite(c.Request.Context(), a, members.InviteRequest{
			AccountID: a.AccountID, Email: c.PostForm("email"), Grants: grants, Lang: langOf(c),
		})
	}
	if err != nil {
		e := s.classify(c, err)
		if e.Status >= http.StatusInternalServerError {
			return e
		}
		v, err2 := s.consoleData(c)
		if err2 != nil {
			return err2
		}
		v.Error, v.Email, v.Narrowed = s.formMessage(c, e), c.PostForm("email"), c.PostForm("narrowed")
		v.Groups = s.rightGroups(langOf(c), a, formGrants(c, nil))
		for gi := range v.Groups { // keep "only:" chosen without a resource
			for ri, o := range v.Groups[gi].Rights {
				if c.PostForm("scope:"+o.Right) == "only" && o.Resource == "" && slices.Contains(c.PostFormArray("rights"), o.Right) {
					v.Groups[gi].Rights[ri].Checked, v.Groups[gi].Rights[ri].OnlyChosen = true, true
				}
			}
		}
		var inv *members.InvalidError
		switch {
		case e.Code == "no_rights":
			v.ErrorField = "norights"
		case e.Code == "resource_missing":
			v.ErrorField = "rights"
		case errors.As(err, &inv):
			v.ErrorField = inv.Field
		case errors.Is(err, members.ErrAlreadyMember), errors.Is(err, members.ErrAlreadyInvited):
			v.ErrorField = "email"
		}
		s.render(c, e.Status, "console", "console_title", v)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_invited")
	return nil
}

// formMessage is the message shown next to a form: e's message, with its
// precise reason when it has one.
func (s *Server) formMessage(c *gin.Context, e *Error) string {
	if d := s.detail(c, e); d != "" {
		return s.message(c, e) + " (" + d + ")"
	}
	return s.message(c, e)
}

func (s *Server) consoleResend(c *gin.Context) error {
	a := actorOf(c)
	if _, err := s.Members.Resend(c.Request.Context(), a, a.AccountID, c.Param("id"), langOf(c)); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_resent")
	return nil
}

func (s *Server) consoleRevoke(c *gin.Context) error {
	a := actorOf(c)
	if err := s.Members.Revoke(c.Request.Context(), a, a.AccountID, c.Param("id")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_revoked")
	return nil
}

type memberView struct {
	Member    members.LoginAccount
	Groups    []rightGroup
	Templates []templateOption
	Narrowed  string
	Error     string
	// Current names the rights the member holds now; Locked those the
	// actor does not hold (then the actor may not change them).
	Current, Locked []string
	// ResetMFA is set for the owner when the login account has a second
	// factor: the owner may remove it.
	ResetMFA bool
	// Sessions are the login account's live sessions, shown to the owner.
	Sessions []ownSession
	// OwnerSeesSessions is set when the actor is the owner.
	OwnerSeesSessions bool
	SessionsFlash     string
}

func (s *Server) memberPage(c *gin.Context) error {
	a := actorOf(c)
	m, err := s.Members.Get(c.Request.Context(), a, a.AccountID, c.Param("id"))
	if err != nil {
		return err
	}
	ts, err := s.templateOptions(c.Request.Context(), langOf(c), a)
	if err != nil {
		return err
	}
	v := memberView{Member: m, Groups: s.rightGroups(langOf(c), a, m.Grants), Templates: ts}
	v.Current, v.Locked = s.currentRights(langOf(c), a, m.Grants)
	if v.ResetMFA, err = s.canResetMFA(c, a, m.ID); err != nil {
		return err
	}
	if err := s.memberSessions(c, a, m, &v); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "member", "member_title", v)
	return nil
}

func (s *Server) memberRights(c *gin.Context) error {
	ctx, a, id := c.Request.Context(), actorOf(c), c.Param("id")
	m, err := s.Members.Get(ctx, a, a.AccountID, id)
	if err != nil {
		return err
	}
	grants, err := s.withTemplate(c, formGrants(c, m.Grants))
	if err == nil {
		err = s.Members.SetGrants(ctx, a, a.AccountID, id, grants)
	}
	if err != nil {
		e := s.classify(c, err)
		if e.Status >= http.StatusInternalServerError {
			return e
		}
		ts, err := s.templateOptions(ctx, langOf(c), a)
		if err != nil {
			return err
		}
		v := memberView{Member: m, Groups: s.rightGroups(langOf(c), a, grants), Templates: ts, Narrowed: c.PostForm("narrowed"), Error: s.formMessage(c, e)}
		v.Current, v.Locked = s.currentRights(langOf(c), a, m.Grants)
		s.render(c, e.Status, "member", "member_title", v)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_rights")
	return nil
}

func (s *Server) memberDisable(disabled bool) handler {
	done := "console_done_enabled"
	if disabled {
		done = "console_done_disabled"
	}
	return func(c *gin.Context) error {
		a := actorOf(c)
		if err := s.Members.SetDisabled(c.Request.Context(), a, a.AccountID, c.Param("id"), disabled); err != nil {
			return err
		}
		c.Redirect(http.StatusSeeOther, "/console/members?done="+url.QueryEscape(done))
		return nil
	}
}

// confirmView is the confirmation page of a destructive form sent
// without JavaScript (which asks in a dialog instead).
type confirmView struct {
	Question            template.HTML // names what is deleted, in bold
	Consequence, Submit string
	Action, Cancel      string
}

func (s *Server) memberDelete(c *gin.Context) error {
	a := actorOf(c)
	if c.PostForm("confirmed") != "yes" {
		m, err := s.Members.Get(c.Request.Context(), a, a.AccountID, c.Param("id"))
		if err != nil {
			return err
		}
		s.render(c, http.StatusOK, "confirm", "confirm_title", confirmView{
			Question: s.msgHTML(c, "member_delete_question", "Email", m.Email), Consequence: s.msg(c, "member_delete_consequence"),
			Submit: s.msg(c, "member_delete"), Action: "/console/members/" + m.ID + "/delete", Cancel: "/console/members/" + m.ID,
		})
		return nil
	}
	if err := s.Members.Delete(c.Request.Context(), a, a.AccountID, c.Param("id")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_deleted")
	return nil
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/members"
)

// mountConsoleSessions mounts the owner's ending of a login account's
// session in the console.
func (s *Server) mountConsoleSessions(r gin.IRouter) {
	r.POST("/console/members/:id/sessions/end", s.page(s.requireConsole), s.page(s.consoleEndSession))
}

// memberSessions fills the sessions of login account m for the owner.
func (s *Server) memberSessions(c *gin.Context, a members.Actor, m members.LoginAccount, v *memberView) error {
	if !ownerOf(a, a.AccountID) || m.Role != account.RoleMember || m.ID == a.MemberID {
		return nil
	}
	list, err := s.describeSessions(c.Request.Context(), m.ID, "")
	v.Sessions, v.OwnerSeesSessions = list, true
	v.SessionsFlash = s.sessionsFlash(c)
	return err
}

// consoleEndSession ends one session of a login account: the owner's
// decision, recorded in the activity log; the products it signed into
// hear of it.
func (s *Server) consoleEndSession(c *gin.Context) error {
	ctx, a := c.Request.Context(), actorOf(c)
	m, err := s.ownersLoginAccount(c, a)
	if err != nil {
		return err
	}
	if m.ID == a.MemberID {
		return forbidden("forbidden", "console_forbidden")
	}
	sid := strings.TrimSpace(c.PostForm("sid"))
	err = s.Accounts.EndMemberSession(ctx, m.ID, sid, audit.Event{
		AccountID: a.AccountID, ActorID: a.MemberID, ActorEmail: a.Email, Action: audit.SessionEnded, Target: m.Email,
		Detail: "sid " + sid, IP: c.ClientIP(),
	})
	if errors.Is(err, account.ErrNotFound) {
		return notFound("sessions_not_found").wrap(err)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/console/members/"+url.PathEscape(m.ID)+"?done=sessions_done_one#sessions")
	return nil
}

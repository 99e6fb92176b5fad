package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/events"
)

// mountAdminEvents adds what admins see of the products' side of sign-out
// and rights changes: the deliveries of logout tokens and rights-change
// events, and a person's browser sessions, which an admin may end.
func (s *Server) mountAdminEvents(g, api gin.IRouter) {
	g.GET("/deliveries", s.adminPage(s.adminDeliveriesPage))
	g.GET("/accounts/:account_id/members/:member_id/sessions", s.adminPage(s.adminSessionsPage))
	g.POST("/accounts/:account_id/members/:member_id/sessions/end", s.adminPage(s.adminEndSession))
	api.GET("/deliveries", s.api(s.apiAdminDeliveries))
	api.GET("/accounts/:account_id/members/:member_id/sessions", s.api(s.apiAdminSessions))
	api.DELETE("/accounts/:account_id/members/:member_id/sessions/:sid", s.api(s.apiAdminEndSession))
}

type adminDeliveriesView struct {
	Admin      account.Admin
	State      string
	Deliveries []events.Delivery
}

// deliveryState reads ?state=: pending, delivered, failed or "" for all.
func deliveryState(c *gin.Context) events.State {
	switch st := events.State(c.Query("state")); st {
	case events.StatePending, events.StateDelivered, events.StateFailed:
		return st
	}
	return ""
}

// adminDeliveriesPage lists the latest deliveries to the products.
func (s *Server) adminDeliveriesPage(c *gin.Context) error {
	st := deliveryState(c)
	list, err := s.Events.Recent(c.Request.Context(), st, 200)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "admin_deliveries", "admin_deliveries_title",
		adminDeliveriesView{Admin: adminOf(c), State: string(st), Deliveries: list})
	return nil
}

// apiAdminDeliveries answers {"deliveries": [...]}, newest first;
// ?state= and ?limit= (at most 500) narrow it.
func (s *Server) apiAdminDeliveries(c *gin.Context) error {
	limit, _ := strconv.Atoi(c.Query("limit"))
	list, err := s.Events.Recent(c.Request.Context(), deliveryState(c), limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": list})
	return nil
}

type adminSessionsView struct {
	Admin    account.Admin
	Account  account.Account
	Member   account.Member
	Sessions []account.MemberSession
	Flash    string
}

// adminMember returns the account and member named by the path; a member
// of another account is not found.
func (s *Server) adminMember(c *gin.Context) (account.Account, account.Member, error) {
	acct, err := s.adminAccount(c)
	if err != nil {
		return acct, account.Member{}, err
	}
	m, err := s.Accounts.Member(c.Request.Context(), c.Param("member_id"))
	if errors.Is(err, account.ErrNotFound) || (err == nil && m.AccountID != acct.ID) {
		return acct, m, notFound("admin_err_not_found").wrap(err)
	}
	return acct, m, err
}

// adminSessionsPage lists a person's live sessions at Sésame, with the
// products each signed into and a button to end it.
func (s *Server) adminSessionsPage(c *gin.Context) error {
	acct, m, err := s.adminMember(c)
	if err != nil {
		return err
	}
	list, err := s.Accounts.MemberSessions(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "admin_sessions", "admin_sessions_title",
		adminSessionsView{Admin: adminOf(c), Account: acct, Member: m, Sessions: list, Flash: s.adminFlash(c)})
	return nil
}

// adminEndSession ends the session of the form's sid.
func (s *Server) adminEndSession(c *gin.Context) error {
	acct, m, err := s.adminMember(c)
	if err != nil {
		return err
	}
	if err := s.endMemberSession(c, acct, m, c.PostForm("sid")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/accounts/"+url.PathEscape(acct.ID)+"/members/"+url.PathEscape(m.ID)+"/sessions?done=admin_done_session_ended")
	return nil
}

func (s *Server) endMemberSession(c *gin.Context, acct account.Account, m account.Member, sid string) error {
	a := adminOf(c)
	err := s.Accounts.EndMemberSession(c.Request.Context(), m.ID, sid, audit.Event{
		AccountID: acct.ID, ActorID: a.ID, ActorEmail: a.Email, Action: audit.SessionEnded, Target: m.Email,
		Detail: "sid " + sid, IP: c.ClientIP(),
	})
	if errors.Is(err, account.ErrNotFound) {
		return notFound("admin_err_not_found").wrap(err)
	}
	return err
}

// apiAdminSessions answers {"sessions": [...]}: the person's live sessions.
func (s *Server) apiAdminSessions(c *gin.Context) error {
	_, m, err := s.adminMember(c)
	if err != nil {
		return err
	}
	list, err := s.Accounts.MemberSessions(c.Request.Context(), m.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"sessions": list})
	return nil
}

// apiAdminEndSession ends one session: 204, or 404.
func (s *Server) apiAdminEndSession(c *gin.Context) error {
	acct, m, err := s.adminMember(c)
	if err != nil {
		return err
	}
	if err := s.endMemberSession(c, acct, m, c.Param("sid")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

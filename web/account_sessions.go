package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

const pathOwnSessions = "/account/sessions"

// mountOwnSessions mounts the page where a person sees and ends their own
// browser sessions.
func (s *Server) mountOwnSessions(r gin.IRoutes) {
	r.GET(pathOwnSessions, s.page(s.ownSessionsPage))
	r.POST(pathOwnSessions+"/end", s.page(s.ownSessionEnd))
	r.POST(pathOwnSessions+"/end-others", s.page(s.ownSessionsEndOthers))
}

// ownSession is a session as the person's page shows it.
type ownSession struct {
	account.MemberSession
	Browser, System string   // "" when not recognised
	Products        []string // the names of the clients signed into
	Current         bool
}

type ownSessionsView struct {
	Sessions []ownSession
	Others   bool // some session is not the current one
	Flash    string
}

// ownSessionsPage lists the person's live sessions, the current one first
// and marked.
func (s *Server) ownSessionsPage(c *gin.Context) error {
	sess, ok, err := s.memberSession(c)
	if !ok {
		return err
	}
	list, err := s.describeSessions(c.Request.Context(), sess.MemberID, sess.SID)
	if err != nil {
		return err
	}
	v := ownSessionsView{Sessions: list, Others: len(list) > 1 || (len(list) == 1 && !list[0].Current)}
	v.Flash = s.sessionsFlash(c)
	s.render(c, http.StatusOK, "sessions", "sessions_title", v)
	return nil
}

// sessionsFlash returns the message that the query's done names when it is
// one of the sessions_done_ messages (sessions ended), or "".
func (s *Server) sessionsFlash(c *gin.Context) string {
	if k := c.Query("done"); strings.HasPrefix(k, "sessions_done_") && s.catalog.Has(k) {
		return s.msg(c, k)
	}
	return ""
}

// describeSessions returns the live sessions of memberID in words, the
// current one (currentSID) first and marked.
func (s *Server) describeSessions(ctx context.Context, memberID, currentSID string) ([]ownSession, error) {
	list, err := s.Accounts.MemberSessions(ctx, memberID)
	if err != nil {
		return nil, err
	}
	out := make([]ownSession, 0, len(list))
	names := map[string]string{}
	for _, m := range list {
		o := ownSession{MemberSession: m, Current: currentSID != "" && m.SID == currentSID}
		o.Browser, o.System = deviceOf(m.UserAgent)
		for _, id := range m.Clients {
			if _, ok := names[id]; !ok {
				names[id] = id
				if fc, err := s.OAuth.Store.GetClient(ctx, id); err == nil {
					if cl, ok := fc.(*sqlstore.Client); ok && cl.Name != "" {
						names[id] = cl.Name
					}
				}
			}
			o.Products = append(o.Products, names[id])
		}
		if o.Current {
			out = append([]ownSession{o}, out...)
		} else {
			out = append(out, o)
		}
	}
	return out, nil
}

// ownSessionEnd ends the form's session of the person; ending the current
// one signs this browser out.
func (s *Server) ownSessionEnd(c *gin.Context) error {
	sess, m, ok, err := s.ownSessionActor(c)
	if !ok || err != nil {
		return err
	}
	sid := c.PostForm("sid")
	err = s.Accounts.EndMemberSession(c.Request.Context(), m.ID, sid, s.ownSessionEvent(c, m, "sid "+sid))
	if errors.Is(err, account.ErrNotFound) {
		return notFound("sessions_not_found").wrap(err)
	} else if err != nil {
		return err
	}
	if sid == sess.SID {
		s.setSessionCookie(c, "", -1)
		c.Redirect(http.StatusSeeOther, "/login")
		return nil
	}
	c.Redirect(http.StatusSeeOther, pathOwnSessions+"?done=sessions_done_one")
	return nil
}

// ownSessionsEndOthers ends every session of the person but this one.
func (s *Server) ownSessionsEndOthers(c *gin.Context) error {
	sess, m, ok, err := s.ownSessionActor(c)
	if !ok || err != nil {
		return err
	}
	err = s.Accounts.EndOtherMemberSessions(c.Request.Context(), m.ID, sess.SID, s.ownSessionEvent(c, m, "all but sid "+sess.SID))
	if err != nil && !errors.Is(err, account.ErrNotFound) {
		return err
	}
	c.Redirect(http.StatusSeeOther, pathOwnSessions+"?done=sessions_done_others")
	return nil
}

// ownSessionActor returns the session and member of a signed-in person,
// or redirects to the login page and returns ok false.
func (s *Server) ownSessionActor(c *gin.Context) (account.Session, account.Member, bool, error) {
	sess, ok, err := s.memberSession(c)
	if !ok {
		return sess, account.Member{}, false, err
	}
	m, err := s.Accounts.Member(c.Request.Context(), sess.MemberID)
	if err != nil {
		return sess, m, false, err
	}
	return sess, m, true, nil
}

func (s *Server) ownSessionEvent(c *gin.Context, m account.Member, detail string) audit.Event {
	return audit.Event{
		AccountID: m.AccountID, ActorID: m.ID, ActorEmail: m.Email, Action: audit.SessionEnded, Target: m.Email,
		Detail: detail, IP: c.ClientIP(),
	}
}

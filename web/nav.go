package web

import (
	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/members"
)

// navInfo is the header's part about who is signed in: the same on the
// account and console pages (and every page a signed-in member sees),
// with links to each area the person may open and the sign-out button.
type navInfo struct {
	Email       string
	AccountName string
	AccountID   string
	CanManage   bool
}

// navOf describes who this request's page is for, from what the request's
// handlers already loaded (the admin, the session, the actor); nil when
// nobody is signed in or the session cannot be read now.
func (s *Server) navOf(c *gin.Context) *navInfo {
	if _, ok := c.Get(adminKey); ok {
		return nil // the admin pages' own header (admin_header) says it
	}
	v, ok := c.Get("session")
	if !ok {
		return nil
	}
	sess, ok := v.(account.Session)
	if !ok || sess.MemberID == "" {
		return nil
	}
	ctx := c.Request.Context()
	n := &navInfo{}
	if v, ok := c.Get("actor"); ok {
		if a, ok := v.(members.Actor); ok && a.MemberID == sess.MemberID {
			n.Email, n.AccountID, n.CanManage = a.Email, a.AccountID, a.CanManage(a.AccountID)
		}
	}
	if n.Email == "" {
		m, err := s.Accounts.Member(ctx, sess.MemberID)
		if err != nil {
			return nil
		}
		n.Email, n.AccountID = m.Email, m.AccountID
		if a, err := s.Members.ActorFor(ctx, m.ID, c.ClientIP()); err == nil {
			n.CanManage = a.CanManage(m.AccountID)
		}
	}
	if acct, err := s.Accounts.Account(ctx, n.AccountID); err == nil {
		n.AccountName = acct.Name
	}
	return n
}

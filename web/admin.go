package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/rbac"
)

// mountAdmin adds the platform admins' area: sign-in, policy editor, role
// templates and the explain tool (pages and JSON API). Every route is in
// the CSRF-protected browser group; an admin is known by a browser session
// opened at /admin/login, never by a member's session or a bearer token.
func (s *Server) mountAdmin(r gin.IRouter) {
	r.GET("/admin/login", s.page(s.adminLoginPage))
	r.POST("/admin/login", s.page(s.adminLoginSubmit))
	r.POST("/admin/logout", s.page(s.adminLogout))

	g := r.Group("/admin", s.adminPage(s.requireAdminPage))
	g.GET("", s.adminPage(s.adminHome))
	g.GET("/accounts", s.adminPage(s.adminFindAccount))
	g.GET("/accounts/:account_id", s.adminPage(s.adminAccountPage))
	g.POST("/accounts/:account_id/rules", s.adminPage(s.adminAddRule))
	g.POST("/accounts/:account_id/rules/remove", s.adminPage(s.adminRemoveRule))
	g.GET("/templates", s.adminPage(s.adminTemplatesPage))
	g.POST("/templates", s.adminPage(s.adminSaveTemplate))
	g.POST("/templates/:id/delete", s.adminPage(s.adminDeleteTemplate))
	g.GET("/explain", s.adminPage(s.adminExplainPage))

	s.mountAdminAPI(r)
	s.mountAdminEvents(g, r.Group("/api/v1/admin", s.api(s.requireAdminAPI)))
}

// adminKey is where the admin middlewares leave the signed-in admin.
const adminKey = "admin"

// signedInAdmin returns the platform admin of the request's browser
// session; a member's session is no admin's. The error is the service's
// failure to say.
func (s *Server) signedInAdmin(c *gin.Context) (account.Admin, bool, error) {
	sess, ok, err := s.browserSession(c)
	// An admin session opens the admin area only with a second factor.
	if err != nil || !ok || sess.AdminID == "" || !sess.MFA {
		return account.Admin{}, false, err
	}
	a, err := s.Accounts.Admin(c.Request.Context(), sess.AdminID)
	switch {
	case errors.Is(err, account.ErrNotFound):
		return account.Admin{}, false, nil
	case err != nil:
		return account.Admin{}, false, err
	}
	return a, true, nil
}

// requireAdminPage lets platform admins through and sends everybody else
// (nobody signed in, or a member of an account) to the admin sign-in.
func (s *Server) requireAdminPage(c *gin.Context) error {
	a, ok, err := s.signedInAdmin(c)
	if err != nil {
		return err
	}
	if !ok {
		c.Redirect(http.StatusSeeOther, "/admin/login")
		c.Abort()
		return nil
	}
	c.Set(adminKey, a)
	return nil
}

// requireAdminAPI is requireAdminPage for the JSON API: 401 without an
// admin session, 403 for a member's session. Bearer tokens are refused:
// no token speaks for a platform admin.
func (s *Server) requireAdminAPI(c *gin.Context) error {
	if strings.HasPrefix(c.GetHeader("Authorization"), "Bearer ") {
		return unauthorized("unauthorized", "admin_api_session_only")
	}
	a, ok, err := s.signedInAdmin(c)
	if err != nil {
		return err
	}
	if !ok {
		if sess, ok, err := s.browserSession(c); err != nil {
			return err
		} else if ok && sess.MemberID != "" {
			return forbidden("forbidden", "admin_api_forbidden")
		}
		return unauthorized("unauthorized", "admin_api_unauthorized")
	}
	c.Set(adminKey, a)
	return nil
}

func adminOf(c *gin.Context) account.Admin { return c.MustGet(adminKey).(account.Admin) }

// adminActor is the admin behind a change, as the audit trail records it.
func adminActor(c *gin.Context) rbac.Actor {
	a := adminOf(c)
	return rbac.Actor{ID: a.ID, Email: a.Email, IP: c.ClientIP()}
}

// adminFlash returns the message of a ?done= key of the admin area, or "".
func (s *Server) adminFlash(c *gin.Context) string {
	k := c.Query("done")
	if !strings.HasPrefix(k, "admin_done_") {
		return ""
	}
	if !s.catalog.Has(k) {
		return ""
	}
	return s.msg(c, k)
}

package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/rbac"
)

// mountAdminAPI adds the platform admins' JSON API. It is authorized by an
// admin's browser session only; being in the browser group, every
// state-changing call needs the CSRF token in the X-CSRF-Token header.
func (s *Server) mountAdminAPI(r gin.IRouter) {
	g := r.Group("/api/v1/admin", s.requireAdminAPI)
	g.GET("/me", func(c *gin.Context) { c.JSON(http.StatusOK, adminOf(c)) })
	g.GET("/catalog", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"rights": rbac.Catalog()}) })
	g.GET("/audit", s.apiAdminAudit)
	g.GET("/accounts/:account_id/policies", s.apiAdminPolicies)
	g.POST("/accounts/:account_id/rules", s.apiAdminAddRule)
	g.DELETE("/accounts/:account_id/rules", s.apiAdminRemoveRule)
	g.GET("/accounts/:account_id/audit", s.apiAdminAudit)
	g.GET("/templates", s.apiAdminTemplates)
	g.GET("/templates/:id", s.apiAdminTemplate)
	g.PUT("/templates/:id", s.apiAdminPutTemplate)
	g.DELETE("/templates/:id", s.apiAdminDeleteTemplate)
	g.POST("/explain", s.apiAdminExplain)
}

// apiAdminPolicies answers {"account_id", "rules", "members"}: every rule of
// the account as stored (expired grants included) and its members.
func (s *Server) apiAdminPolicies(c *gin.Context) {
	acct, err := s.adminAccount(c)
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	s.adminWritePolicies(c, http.StatusOK, acct)
}

func (s *Server) adminWritePolicies(c *gin.Context, status int, acct account.Account) {
	ctx := c.Request.Context()
	rules, err := s.Rights.Policies(ctx, acct.ID)
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	members, err := s.Accounts.Members(ctx, acct.ID)
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	if members == nil {
		members = []account.Member{}
	}
	c.JSON(status, gin.H{"account_id": acct.ID, "rules": rules, "members": members})
}

// apiAdminAddRule adds the rule of the body, e.g.
// {"subject":"m_…","action":"domain:dns","object":"example.cm","expires_at":"…"}
// or {"ptype":"g","subject":"m_…","role":"role:tech"}, and answers 201 with
// the account's rules.
func (s *Server) apiAdminAddRule(c *gin.Context) {
	s.apiAdminEditRule(c, true)
}

// apiAdminRemoveRule removes the rule of the body (as policies lists it)
// and answers 204.
func (s *Server) apiAdminRemoveRule(c *gin.Context) {
	s.apiAdminEditRule(c, false)
}

func (s *Server) apiAdminEditRule(c *gin.Context, add bool) {
	ctx := c.Request.Context()
	acct, err := s.adminAccount(c)
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	var r rbac.Rule
	if !s.bindJSON(c, &r) {
		return
	}
	r.Subject, r.Role = strings.TrimSpace(r.Subject), strings.TrimSpace(r.Role)
	r.Object, r.Action = strings.TrimSpace(r.Object), strings.TrimSpace(r.Action)
	if r, err = s.adminPrepareRule(ctx, acct, r, add); err == nil {
		if add {
			err = s.Rights.AddRule(ctx, adminActor(c), acct.ID, r)
		} else {
			err = s.Rights.RemoveRule(ctx, adminActor(c), acct.ID, r)
		}
	}
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	if !add {
		c.Status(http.StatusNoContent)
		return
	}
	s.adminWritePolicies(c, http.StatusCreated, acct)
}

// apiAdminAudit answers the newest events of an account, or the
// platform's when no account is named.
func (s *Server) apiAdminAudit(c *gin.Context) {
	accountID := ""
	if c.Param("account_id") != "" {
		acct, err := s.adminAccount(c)
		if err != nil {
			s.adminAPIFail(c, err)
			return
		}
		accountID = acct.ID
	}
	events, err := s.Audit.List(c.Request.Context(), accountID, adminAuditLimit)
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	if events == nil {
		events = []audit.Event{}
	}
	c.JSON(http.StatusOK, gin.H{"events": events})
}

func (s *Server) apiAdminTemplates(c *gin.Context) {
	ts, err := s.Rights.Templates(c.Request.Context())
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"templates": ts})
}

func (s *Server) apiAdminTemplate(c *gin.Context) {
	t, err := s.adminTemplate(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

// apiAdminPutTemplate creates (201) or replaces (200) the template of the
// path with the body {"name_fr","name_en","rights":[…]}.
func (s *Server) apiAdminPutTemplate(c *gin.Context) {
	ctx, id := c.Request.Context(), c.Param("id")
	var body struct {
		ID     string   `json:"id"`
		NameFR string   `json:"name_fr"`
		NameEN string   `json:"name_en"`
		Rights []string `json:"rights"`
	}
	if !s.bindJSON(c, &body) {
		return
	}
	if body.ID != "" && body.ID != id {
		s.adminAPIFail(c, adminBadInput("invalid_template", "admin_err_template_id",
			fmt.Sprintf("the body names template %q, the path %q", clipInput(body.ID), clipInput(id))))
		return
	}
	status := http.StatusOK
	if _, err := s.adminTemplate(ctx, id); errors.Is(err, db.ErrNotFound) {
		status = http.StatusCreated
	} else if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	t, err := s.adminSave(c, rbac.Template{ID: id, NameFR: body.NameFR, NameEN: body.NameEN, Rights: body.Rights})
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	c.JSON(status, t)
}

func (s *Server) apiAdminDeleteTemplate(c *gin.Context) {
	if err := s.Rights.DeleteTemplate(c.Request.Context(), adminActor(c), c.Param("id")); err != nil {
		s.adminAPIFail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiAdminExplain answers rbac.Explanation for the body
// {"sub","account_id","right","resource"}.
func (s *Server) apiAdminExplain(c *gin.Context) {
	var body struct {
		Sub       string `json:"sub"`
		AccountID string `json:"account_id"`
		Right     string `json:"right"`
		Resource  string `json:"resource"`
	}
	if !s.bindJSON(c, &body) {
		return
	}
	x, err := s.adminExplain(c.Request.Context(), body.Sub, body.AccountID, body.Right, body.Resource)
	if err != nil {
		s.adminAPIFail(c, err)
		return
	}
	c.JSON(http.StatusOK, x)
}

package web

import (
	"errors"

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
	g := r.Group("/api/v1/admin", s.api(s.requireAdminAPI))
	g.GET("/me", func(c *gin.Context) { c.JSON(http.StatusOK, adminOf(c)) })
	g.GET("/catalog", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"rights": rbac.Catalog()}) })
	g.GET("/audit", s.api(s.apiAdminAudit))
	g.GET("/accounts/:account_id/policies", s.api(s.apiAdminPolicies))
	g.POST("/accounts/:account_id/rules", s.api(s.apiAdminAddRule))
	g.DELETE("/accounts/:account_id/rules", s.api(s.apiAdminRemoveRule))
	g.GET("/accounts/:account_id/audit", s.api(s.apiAdminAudit))
	g.GET("/templates", s.api(s.apiAdminTemplates))
	g.GET("/templates/:id", s.api(s.apiAdminTemplate))
	g.PUT("/templates/:id", s.api(s.apiAdminPutTemplate))
	g.DELETE("/templates/:id", s.api(s.apiAdminDeleteTemplate))
	g.POST("/explain", s.api(s.apiAdminExplain))
}

// apiAdminPolicies answers {"account_id", "rules", "members"}: every rule of
// the account as stored (expired grants included) and its members.
func (s *Server) apiAdminPolicies(c *gin.Context) error {
	acct, err := s.adminAccount(c)
	if err != nil {
		return err
	}
	return s.adminWritePolicies(c, http.StatusOK, acct)
}

func (s *Server) adminWritePolicies(c *gin.Context, status int, acct account.Account) error {
	ctx := c.Request.Context()
	rules, err := s.Rights.Policies(ctx, acct.ID)
	if err != nil {
		return err
	}
	members, err := s.Accounts.Members(ctx, acct.ID)
	if err != nil {
		return err
	}
	if members == nil {
		members = []account.Member{}
	}
	c.JSON(status, gin.H{"account_id": acct.ID, "rules": rules, "members": members})
	return nil
}

// apiAdminAddRule adds the rule of the body, e.g.
// {"subject":"m_…","action":"domain:dns","object":"example.cm","expires_at":"…"}
// or {"ptype":"g","subject":"m_…","role":"role:tech"}, and answers 201 with
// the account's rules.
func (s *Server) apiAdminAddRule(c *gin.Context) error {
	return s.apiAdminEditRule(c, true)
}

// apiAdminRemoveRule removes the rule of the body (as policies lists it)
// and answers 204.
func (s *Server) apiAdminRemoveRule(c *gin.Context) error {
	return s.apiAdminEditRule(c, false)
}

func (s *Server) apiAdminEditRule(c *gin.Context, add bool) error {
	ctx := c.Request.Context()
	acct, err := s.adminAccount(c)
	if err != nil {
		return err
	}
	var r rbac.Rule
	if err := s.bindJSON(c, &r); err != nil {
		return err
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
		return err
	}
	if !add {
		c.Status(http.StatusNoContent)
		return nil
	}
	return s.adminWritePolicies(c, http.StatusCreated, acct)
}

// apiAdminAudit answers the newest events of an account, or the
// platform's when no account is named.
func (s *Server) apiAdminAudit(c *gin.Context) error {
	accountID := ""
	if c.Param("account_id") != "" {
		acct, err := s.adminAccount(c)
		if err != nil {
			return err
		}
		accountID = acct.ID
	}
	events, err := s.Audit.List(c.Request.Context(), accountID, adminAuditLimit)
	if err != nil {
		return err
	}
	if events == nil {
		events = []audit.Event{}
	}
	c.JSON(http.StatusOK, gin.H{"events": events})
	return nil
}

func (s *Server) apiAdminTemplates(c *gin.Context) error {
	ts, err := s.Rights.Templates(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"templates": ts})
	return nil
}

func (s *Server) apiAdminTemplate(c *gin.Context) error {
	t, err := s.adminTemplate(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, t)
	return nil
}

// apiAdminPutTemplate creates (201) or replaces (200) the template of the
// path with the body {"name_fr","name_en","rights":[…]}.
func (s *Server) apiAdminPutTemplate(c *gin.Context) error {
	ctx, id := c.Request.Context(), c.Param("id")
	var body struct {
		ID     string   `json:"id"`
		NameFR string   `json:"name_fr"`
		NameEN string   `json:"name_en"`
		Rights []string `json:"rights"`
	}
	if err := s.bindJSON(c, &body); err != nil {
		return err
	}
	if body.ID != "" && body.ID != id {
		return badRequest("invalid_template", "admin_err_template_id")
	}
	status := http.StatusOK
	if _, err := s.adminTemplate(ctx, id); errors.Is(err, db.ErrNotFound) {
		status = http.StatusCreated
	} else if err != nil {
		return err
	}
	t, err := s.adminSave(c, rbac.Template{ID: id, NameFR: body.NameFR, NameEN: body.NameEN, Rights: body.Rights})
	if err != nil {
		return err
	}
	c.JSON(status, t)
	return nil
}

func (s *Server) apiAdminDeleteTemplate(c *gin.Context) error {
	if err := s.Rights.DeleteTemplate(c.Request.Context(), adminActor(c), c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// apiAdminExplain answers rbac.Explanation for the body
// {"sub","account_id","right","resource"}.
func (s *Server) apiAdminExplain(c *gin.Context) error {
	var body struct {
		Sub       string `json:"sub"`
		AccountID string `json:"account_id"`
		Right     string `json:"right"`
		Resource  string `json:"resource"`
	}
	if err := s.bindJSON(c, &body); err != nil {
		return err
	}
	x, err := s.adminExplain(c.Request.Context(), body.Sub, body.AccountID, body.Right, body.Resource)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, x)
	return nil
}

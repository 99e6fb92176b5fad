package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/rbac"
)

// adminTemplateRow is a role template as the admin pages list it.
type adminTemplateRow struct {
	rbac.Template
	Name   string   // in the page's language
	Labels []string // of its rights
}

func (s *Server) adminTemplateRows(c *gin.Context) ([]adminTemplateRow, error) {
	ts, err := s.Rights.Templates(c.Request.Context())
	if err != nil {
		return nil, err
	}
	lang := langOf(c)
	rows := make([]adminTemplateRow, 0, len(ts))
	for _, t := range ts {
		row := adminTemplateRow{Template: t, Name: t.Name(lang)}
		for _, r := range t.Rights {
			row.Labels = append(row.Labels, s.adminRightLabel(c, lang, r))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// adminTemplate returns the template id, or db.ErrNotFound.
func (s *Server) adminTemplate(ctx context.Context, id string) (rbac.Template, error) {
	ts, err := s.Rights.Templates(ctx)
	if err != nil {
		return rbac.Template{}, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, nil
		}
	}
	return rbac.Template{}, fmt.Errorf("web: template %q: %w", clipInput(id), db.ErrNotFound)
}

// adminTemplateForm is the create or edit form of a template.
type adminTemplateForm struct {
	ID, NameFR, NameEN string
	Editing            bool // the ID is fixed
	Catalog            []adminRightGroup
}

type adminTemplatesView struct {
	Admin     account.Admin
	Templates []adminTemplateRow
	Form      adminTemplateForm
	Error     string
	Detail    string
	Flash     string
}

// adminTemplatesPage lists the role templates with a form to create one,
// or to edit the one named by ?edit=.
func (s *Server) adminTemplatesPage(c *gin.Context) error {
	form := adminTemplateForm{Catalog: adminCatalog(langOf(c))}
	if id := c.Query("edit"); id != "" {
		t, err := s.adminTemplate(c.Request.Context(), id)
		if err != nil {
			return err
		}
		form = adminTemplateForm{ID: t.ID, NameFR: t.NameFR, NameEN: t.NameEN, Editing: true, Catalog: adminCatalog(langOf(c), t.Rights...)}
	}
	return s.adminRenderTemplates(c, http.StatusOK, form, nil)
}

// adminRenderTemplates shows the templates page, with the refusal of the
// form when fail is not nil.
func (s *Server) adminRenderTemplates(c *gin.Context, status int, form adminTemplateForm, fail *Error) error {
	rows, err := s.adminTemplateRows(c)
	if err != nil {
		return err
	}
	v := adminTemplatesView{Admin: adminOf(c), Templates: rows, Form: form, Flash: s.adminFlash(c)}
	if fail != nil {
		v.Flash, v.Error, v.Detail = "", s.message(c, fail), s.detail(c, fail)
	}
	s.render(c, status, "admin_templates", "admin_templates_title", v)
	return nil
}

// adminSaveTemplate creates a template (mode=create, refused when the ID
// is taken) or replaces one (mode=edit).
func (s *Server) adminSaveTemplate(c *gin.Context) error {
	ctx := c.Request.Context()
	t := rbac.Template{
		ID:     strings.TrimSpace(c.PostForm("id")),
		NameFR: c.PostForm("name_fr"),
		NameEN: c.PostForm("name_en"),
		Rights: c.PostFormArray("rights"),
	}
	editing := c.PostForm("mode") == "edit"
	var err error
	if !editing {
		err = s.adminTemplateFree(ctx, t.ID)
	}
	if err == nil {
		_, err = s.adminSave(c, t)
	}
	if err != nil {
		e := s.classify(c, err)
		if e.Status >= http.StatusInternalServerError {
			return e
		}
		form := adminTemplateForm{ID: t.ID, NameFR: t.NameFR, NameEN: t.NameEN, Editing: editing, Catalog: adminCatalog(langOf(c), t.Rights...)}
		return s.adminRenderTemplates(c, e.Status, form, e)
	}
	c.Redirect(http.StatusSeeOther, "/admin/templates?done=admin_done_template_saved")
	return nil
}

// adminSave stores a template under the signed-in admin (audited). A
// template holds at least one right; package rbac checks the rest.
func (s *Server) adminSave(c *gin.Context, t rbac.Template) (rbac.Template, error) {
	if len(t.Rights) == 0 {
		return rbac.Template{}, badRequest("invalid_template", "admin_err_template_rights")
	}
	return s.Rights.SaveTemplate(c.Request.Context(), adminActor(c), t)
}

// adminTemplateFree fails when a template id exists already.
func (s *Server) adminTemplateFree(ctx context.Context, id string) error {
	_, err := s.adminTemplate(ctx, id)
	switch {
	case err == nil:
		return conflict("already_exists", "admin_err_template_exists")
	case errors.Is(err, db.ErrNotFound):
		return nil
	}
	return err
}

// adminDeleteTemplate deletes a template; rights granted with it stay.
func (s *Server) adminDeleteTemplate(c *gin.Context) error {
	if err := s.Rights.DeleteTemplate(c.Request.Context(), adminActor(c), c.Param("id")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/templates?done=admin_done_template_deleted")
	return nil
}

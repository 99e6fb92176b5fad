package web

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
)

// The rights part of the console's forms: checkboxes grouped by product,
// rights narrowed to a resource, role templates, and labels.

// rightOption is one checkbox of the rights form.
type rightOption struct {
	Right   string
	Label   string
	Checked bool
	Expires string // for a time-limited grant: its expiry, written out
	// Narrowable rights offer "all / only:" with a resource field;
	// Resource is what the form held there.
	Narrowable bool
	Resource   string
	OnlyChosen bool // "only:" was chosen, even without a resource yet
	Texts      scopeTexts
}

// scopeTexts are the words of a right's "all / only:" choice.
type scopeTexts struct{ Scope, All, Only, Resource string }

type rightGroup struct {
	Label  string
	Rights []rightOption
}

// rightGroups returns the catalog grouped by product, limited to what the
// actor may grant, with held checked.
func (s *Server) rightGroups(lang string, a members.Actor, held []rbac.Grant) []rightGroup {
	checked := map[string]*rbac.Grant{}
	for i := range held {
		checked[held[i].Right] = &held[i]
	}
	var groups []rightGroup
	for _, cr := range rbac.Catalog() {
		if !a.CanGrant(cr.Right) {
			continue
		}
		label := cr.GroupLabel(lang)
		if len(groups) == 0 || groups[len(groups)-1].Label != label {
			groups = append(groups, rightGroup{Label: label})
		}
		opt := rightOption{Right: cr.Right, Label: cr.Label(lang), Narrowable: cr.Narrowable}
		if cr.Narrowable {
			l := i18n.Lang(lang)
			opt.Texts = scopeTexts{
				Scope: s.catalog.Text(l, "console_scope_label", "Right", opt.Label), All: s.catalog.Text(l, "console_scope_all"),
				Only: s.catalog.Text(l, "console_scope_only"), Resource: s.catalog.Text(l, "console_scope_resource", "Right", opt.Label),
			}
		}
		for _, g := range held {
			if r, err := rbac.ParseRight(g.Right); err == nil && r.Key() == cr.Right && r.Resource != "" {
				opt.Checked = true
				if opt.Resource != "" {
					opt.Resource += ", "
				}
				opt.Resource += r.Resource
			}
		}
		if g, ok := checked[cr.Right]; ok {
			opt.Checked = true
			if g.ExpiresAt != nil {
				opt.Expires = s.datesIn(lang).DateTime(*g.ExpiresAt)
			}
		}
		groups[len(groups)-1].Rights = append(groups[len(groups)-1].Rights, opt)
	}
	return groups
}

// formGrants reads the checked rights (each narrowed to the resources of
// its "only:" field when chosen) and the narrowed ones typed in the text
// area; existing expiries of kept rights are preserved. A right narrowed
// to no resource is left out: formOnlyEmpty names it.
func formGrants(c *gin.Context, previous []rbac.Grant) []rbac.Grant {
	prev := map[string]*time.Time{}
	for _, g := range previous {
		prev[g.Right] = g.ExpiresAt
	}
	var out []rbac.Grant
	add := func(r string) {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, rbac.Grant{Right: r, ExpiresAt: prev[r]})
		}
	}
	for _, r := range c.PostFormArray("rights") {
		// "only:" with resources narrows the checked right to them.
		if c.PostForm("scope:"+r) == "only" {
			for _, res := range strings.Fields(strings.ReplaceAll(c.PostForm("resource:"+r), ",", " ")) {
				add(r + ":" + res)
			}
			continue
		}
		add(r)
	}
	for _, r := range strings.Fields(strings.ReplaceAll(c.PostForm("narrowed"), ",", " ")) {
		add(r)
	}
	return out
}

// templateOptions lists the role templates whose every right a may grant.
func (s *Server) templateOptions(ctx context.Context, lang string, a members.Actor) ([]templateOption, error) {
	ts, err := s.Rights.Templates(ctx)
	if err != nil {
		return nil, err
	}
	var out []templateOption
next:
	for _, t := range ts {
		for _, r := range t.Rights {
			if !a.CanGrant(r) {
				continue next
			}
		}
		out = append(out, templateOption{ID: t.ID, Name: t.Name(lang), Rights: strings.Join(t.Rights, ", ")})
	}
	return out, nil
}

// withTemplate adds the rights of the role template chosen in the form.
func (s *Server) withTemplate(c *gin.Context, grants []rbac.Grant) ([]rbac.Grant, error) {
	id := c.PostForm("template")
	if id == "" {
		return grants, nil
	}
	ts, err := s.Rights.Templates(c.Request.Context())
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == id {
			for _, r := range t.Rights {
				grants = append(grants, rbac.Grant{Right: r})
			}
			return grants, nil
		}
	}
	return nil, &members.InvalidError{Field: "template", Err: errors.New("unknown role template")}
}

func (s *Server) rightLabels(lang string, grants []rbac.Grant) []string {
	out := make([]string, 0, len(grants))
	for _, g := range grants {
		label := g.Right
		if r, err := rbac.ParseRight(g.Right); err == nil {
			for _, cr := range rbac.Catalog() {
				if cr.Right == r.Key() {
					label = cr.Label(lang)
					if r.Resource != "" {
						label += " — " + r.Resource
					}
				}
			}
		}
		if g.ExpiresAt != nil {
			label = s.catalog.Text(i18n.Lang(lang), "right_label_until", "Label", label, "Date", s.datesIn(lang).Date(*g.ExpiresAt))
		}
		out = append(out, label)
	}
	return out
}

// currentRights names the rights a member holds, and among them those the
// actor does not hold (a delegated manager may then change nothing).
func (s *Server) currentRights(lang string, a members.Actor, held []rbac.Grant) (current, locked []string) {
	current = s.rightLabels(lang, held)
	for i, g := range held {
		if !a.CanGrant(g.Right) {
			locked = append(locked, current[i])
		}
	}
	return current, locked
}

// formOnlyEmpty returns the first checked right whose "only:" was chosen
// without a resource, or "".
func formOnlyEmpty(c *gin.Context) string {
	for _, r := range c.PostFormArray("rights") {
		if c.PostForm("scope:"+r) == "only" && strings.TrimSpace(strings.ReplaceAll(c.PostForm("resource:"+r), ",", " ")) == "" {
			return r
		}
	}
	return ""
}

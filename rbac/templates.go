package rbac

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/policies"
)

// Template is a named set of rights offered when granting, e.g.
// "Comptable" / "Accountant" = billing:read billing:pay. Platform admins
// edit them; the defaults come from policies/templates.json.
type Template struct {
	ID        string    `json:"id"`
	NameFR    string    `json:"name_fr"`
	NameEN    string    `json:"name_en"`
	Rights    []string  `json:"rights"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Name returns the template's name in lang ("fr" or "en"; French otherwise).
func (t Template) Name(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") && t.NameEN != "" {
		return t.NameEN
	}
	return t.NameFR
}

type templateRow struct {
	ID        string    `db:"id"`
	NameFR    string    `db:"name_fr"`
	NameEN    string    `db:"name_en"`
	Rights    string    `db:"rights"`
	UpdatedAt time.Time `db:"updated_at"`
}

// templatesSeeded is the settings row that records that the default
// templates were stored once, so that an admin's deletion sticks.
const templatesSeeded = "rbac.templates_seeded"

// DefaultTemplates returns the templates embedded in package policies.
func DefaultTemplates() ([]Template, error) {
	var list []Template
	if err := json.Unmarshal(policies.Templates, &list); err != nil {
		return nil, fmt.Errorf("rbac: default templates: %w", err)
	}
	for i, t := range list {
		v, err := t.validate()
		if err != nil {
			return nil, fmt.Errorf("rbac: default template %q: %w", t.ID, err)
		}
		list[i] = v
	}
	return list, nil
}

// validate checks a template and normalizes its rights (whole rights only,
// each once, in catalog order).
func (t Template) validate() (Template, error) {
	if t.ID == "" || len(t.ID) > 64 || strings.Trim(t.ID, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return t, invalidf(ReasonTemplateID, t.ID, "%w: template id %q: 1 to 64 lower-case letters, digits and '-'", ErrInvalidRight, clip(t.ID))
	}
	t.NameFR, t.NameEN = strings.TrimSpace(t.NameFR), strings.TrimSpace(t.NameEN)
	if t.NameFR == "" || t.NameEN == "" || len(t.NameFR) > 100 || len(t.NameEN) > 100 {
		return t, invalidf(ReasonTemplateNames, t.ID, "%w: template %s needs a French and an English name of at most 100 characters", ErrInvalidRight, t.ID)
	}
	rights := make([]string, 0, len(t.Rights))
	for _, s := range t.Rights {
		r, err := ParseRight(s)
		if err != nil {
			return t, err
		}
		if r.Resource != "" {
			return t, invalidf(ReasonTemplateNarrowed, s, "%w: template %s: %q names a resource; templates hold whole rights", ErrInvalidRight, t.ID, s)
		}
		if !slices.Contains(rights, r.Key()) {
			rights = append(rights, r.Key())
		}
	}
	sortRights(rights, func(s string) string { return s })
	t.Rights = rights
	return t, nil
}

// seedTemplates stores the default templates the first time any instance
// touches the table.
func (s *Service) seedTemplates(ctx context.Context) error {
	s.seedMu.Lock()
	defer s.seedMu.Unlock()
	if s.seeded {
		return nil
	}
	defaults, err := DefaultTemplates()
	if err != nil {
		return err
	}
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.d.Setting(ctx, templatesSeeded); err == nil {
			return nil
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		now := db.Now()
		for _, t := range defaults {
			rights, _ := json.Marshal(t.Rights)
			if _, err := s.d.ExecContext(ctx, s.d.Rebind(`INSERT INTO role_templates (id, name_fr, name_en, rights, updated_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`), t.ID, t.NameFR, t.NameEN, string(rights), now); err != nil {
				return err
			}
		}
		_, err := s.d.InitSetting(ctx, templatesSeeded, now.Format(time.RFC3339))
		return err
	})
	if err != nil {
		return fmt.Errorf("rbac: seed templates: %w", err)
	}
	s.seeded = true
	return nil
}

// Templates returns every role template, by French name.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	if err := s.seedTemplates(ctx); err != nil {
		return nil, err
	}
	var rows []templateRow
	if err := s.d.SelectContext(ctx, &rows, `SELECT id, name_fr, name_en, rights, updated_at FROM role_templates ORDER BY name_fr, id`); err != nil {
		return nil, fmt.Errorf("rbac: templates: %w", err)
	}
	out := make([]Template, 0, len(rows))
	for _, r := range rows {
		t := Template{ID: r.ID, NameFR: r.NameFR, NameEN: r.NameEN, UpdatedAt: r.UpdatedAt.UTC()}
		if err := json.Unmarshal([]byte(r.Rights), &t.Rights); err != nil {
			return nil, fmt.Errorf("rbac: template %s: rights: %w", r.ID, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// SaveTemplate creates or replaces a template and records the change under
// actor (audit.TemplateChanged). It returns the template as stored.
func (s *Service) SaveTemplate(ctx context.Context, actor Actor, t Template) (Template, error) {
	t, err := t.validate()
	if err != nil {
		return Template{}, fmt.Errorf("rbac: save template: %w", err)
	}
	if err := s.seedTemplates(ctx); err != nil {
		return Template{}, err
	}
	t.UpdatedAt = db.Now()
	rights, _ := json.Marshal(t.Rights)
	err = s.d.InTx(ctx, func(ctx context.Context) error {
		_, err := s.d.ExecContext(ctx, s.d.Rebind(`INSERT INTO role_templates (id, name_fr, name_en, rights, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name_fr = excluded.name_fr, name_en = excluded.name_en,
				rights = excluded.rights, updated_at = excluded.updated_at`),
			t.ID, t.NameFR, t.NameEN, string(rights), t.UpdatedAt)
		if err != nil {
			return err
		}
		return s.trail.Record(ctx, audit.Event{
			ActorID: actor.ID, ActorEmail: actor.Email, IP: actor.IP, Action: audit.TemplateChanged,
			Target: t.ID, Detail: "save " + t.NameFR + " / " + t.NameEN + ": " + strings.Join(t.Rights, " "),
		})
	})
	if err != nil {
		return Template{}, fmt.Errorf("rbac: save template %s: %w", t.ID, err)
	}
	return t, nil
}

// DeleteTemplate deletes a template (db.ErrNotFound when there is none) and
// records the change under actor. Rights already granted are unaffected.
func (s *Service) DeleteTemplate(ctx context.Context, actor Actor, id string) error {
	if err := s.seedTemplates(ctx); err != nil {
		return err
	}
	err := s.d.InTx(ctx, func(ctx context.Context) error {
		res, err := s.d.ExecContext(ctx, s.d.Rebind(`DELETE FROM role_templates WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return db.ErrNotFound
		}
		return s.trail.Record(ctx, audit.Event{
			ActorID: actor.ID, ActorEmail: actor.Email, IP: actor.IP, Action: audit.TemplateChanged,
			Target: id, Detail: "delete",
		})
	})
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		err = db.Translate(err)
	}
	if err != nil {
		return fmt.Errorf("rbac: delete template %q: %w", clip(id), err)
	}
	return nil
}

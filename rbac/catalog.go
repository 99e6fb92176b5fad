package rbac

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sesame-idp/sesame/policies"
)

// CatalogRight is one entry of the catalog of rights, in the order the
// console shows them.
type CatalogRight struct {
	Right       string            `json:"right"` // "product:action"
	Product     string            `json:"product"`
	Action      string            `json:"action"`
	Group       string            `json:"group"` // e.g. "domain"
	Narrowable  bool              `json:"narrowable"`
	Labels      map[string]string `json:"labels"`       // language → label
	GroupLabels map[string]string `json:"group_labels"` // language → group label
}

// Label returns the label of the right in lang ("fr", "en", "fr-CM"…),
// falling back to French, then English, then the right itself.
func (c CatalogRight) Label(lang string) string { return pick(c.Labels, lang, c.Right) }

// GroupLabel returns the label of the right's group in lang, with the same
// fallbacks as Label.
func (c CatalogRight) GroupLabel(lang string) string { return pick(c.GroupLabels, lang, c.Group) }

func pick(labels map[string]string, lang, fallback string) string {
	lang = strings.ToLower(lang)
	base, _, _ := strings.Cut(lang, "-")
	for _, l := range []string{lang, base, "fr", "en"} {
		if s := labels[l]; s != "" {
			return s
		}
	}
	return fallback
}

// The catalog is parsed once from the embedded file; a malformed file is a
// build defect, caught by the package tests, so init panics on it.
var (
	catalog      []CatalogRight
	catalogIndex map[string]CatalogRight
)

func init() {
	var err error
	catalog, err = parseCatalog(policies.Catalog)
	if err != nil {
		panic(err)
	}
	catalogIndex = make(map[string]CatalogRight, len(catalog))
	for _, c := range catalog {
		catalogIndex[c.Right] = c
	}
}

func parseCatalog(data []byte) ([]CatalogRight, error) {
	var file struct {
		Groups []struct {
			ID     string            `json:"id"`
			Labels map[string]string `json:"labels"`
		} `json:"groups"`
		Rights []struct {
			Right      string            `json:"right"`
			Group      string            `json:"group"`
			Narrowable bool              `json:"narrowable"`
			Labels     map[string]string `json:"labels"`
		} `json:"rights"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("rbac: catalog: %w", err)
	}
	groups := make(map[string]map[string]string, len(file.Groups))
	for _, g := range file.Groups {
		groups[g.ID] = g.Labels
	}
	seen := make(map[string]bool, len(file.Rights))
	out := make([]CatalogRight, 0, len(file.Rights))
	for _, r := range file.Rights {
		product, action, ok := strings.Cut(r.Right, ":")
		switch {
		case !ok || product == "" || action == "" || strings.Contains(action, ":") || r.Right == "*":
			return nil, fmt.Errorf("rbac: catalog: right %q is not product:action", r.Right)
		case seen[r.Right]:
			return nil, fmt.Errorf("rbac: catalog: right %q listed twice", r.Right)
		case groups[r.Group] == nil:
			return nil, fmt.Errorf("rbac: catalog: right %q names unknown group %q", r.Right, r.Group)
		case r.Labels["fr"] == "" || r.Labels["en"] == "":
			return nil, fmt.Errorf("rbac: catalog: right %q needs fr and en labels", r.Right)
		}
		seen[r.Right] = true
		out = append(out, CatalogRight{
			Right: r.Right, Product: product, Action: action, Group: r.Group,
			Narrowable: r.Narrowable, Labels: r.Labels, GroupLabels: groups[r.Group],
		})
	}
	return out, nil
}

// Catalog returns the catalog of rights in display order. The slice is a
// copy; the label maps are shared and must not be modified.
func Catalog() []CatalogRight { return append([]CatalogRight(nil), catalog...) }

// catalogRank orders rights as the catalog does.
func catalogRank(key string) int {
	for i, c := range catalog {
		if c.Right == key {
			return i
		}
	}
	return len(catalog)
}

package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestEmbeddedCatalog loads the catalog the binary carries: French and
// English have the same keys with the same placeholders, and no message
// is empty.
func TestEmbeddedCatalog(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fr, en := c.Keys(French), c.Keys(English)
	if len(fr) == 0 || strings.Join(fr, ",") != strings.Join(en, ",") {
		t.Fatalf("French has %d keys, English %d, or they differ", len(fr), len(en))
	}
	for _, k := range fr {
		if strings.Join(c.Placeholders(French, k), ",") != strings.Join(c.Placeholders(English, k), ",") {
			t.Errorf("%s: placeholders %v in French, %v in English", k, c.Placeholders(French, k), c.Placeholders(English, k))
		}
		for _, l := range Languages {
			if strings.TrimSpace(c.Text(l, k)) == "" {
				t.Errorf("%s: empty in %s", k, l)
			}
		}
	}
}

func TestLoadRefusesInconsistentCatalogs(t *testing.T) {
	for _, tc := range []struct {
		name, fr, en, want string
	}{
		{"missing in English", `{"a": "A", "b": "B"}`, `{"a": "A"}`, `"b" has no en text`},
		{"missing in French", `{"a": "A"}`, `{"a": "A", "b": "B"}`, `"b" exists in en but not in fr`},
		{"other placeholder", `{"a": "Bonjour {{.Name}}"}`, `{"a": "Hello {{.Email}}"}`, `placeholders [Name] in fr but [Email] in en`},
		{"placeholder in one plural form only", `{"a": {"one": "{{.Count}} heure", "other": "{{.Count}} heures"}}`, `{"a": {"one": "one hour", "other": "hours"}}`, `placeholders [Count]`},
		{"broken JSON", `{"a": `, `{"a": "A"}`, `catalog fr`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"i18n/fr.json": {Data: []byte(tc.fr)}, "i18n/en.json": {Data: []byte(tc.en)}}
			_, err := LoadFS(fsys, "i18n")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadFS = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	fsys := fstest.MapFS{
		"i18n/fr.json": {Data: []byte(`{"hello": "Bonjour {{.Name}}", "hours": {"one": "{{.Count}} heure", "other": "{{.Count}} heures"}, "bold": "<b>{{.Name}}</b>"}`)},
		"i18n/en.json": {Data: []byte(`{"hello": "Hello {{.Name}}", "hours": {"one": "{{.Count}} hour", "other": "{{.Count}} hours"}, "bold": "<b>{{.Name}}</b>"}`)},
	}
	c, err := LoadFS(fsys, "i18n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		lang Lang
		key  string
		args []any
		want string
	}{
		{"placeholder", French, "hello", []any{"Name", "Awa"}, "Bonjour Awa"},
		{"English", English, "hello", []any{"Name", "Awa"}, "Hello Awa"},
		{"French one for 0", French, "hours", []any{"Count", 0}, "0 heure"},
		{"French other", French, "hours", []any{"Count", 72}, "72 heures"},
		{"English one", English, "hours", []any{"Count", 1}, "1 hour"},
		{"English other for 0", English, "hours", []any{"Count", 0}, "0 hours"},
		{"unknown language is French", Lang("de"), "hello", []any{"Name", "Awa"}, "Bonjour Awa"},
		{"unknown key shows itself", French, "nope", nil, "nope"},
		{"placeholder without value shows the key", French, "hello", nil, "hello"},
		{"placeholder with another name shows the key", French, "hello", []any{"Email", "x"}, "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Text(tc.lang, tc.key, tc.args...); got != tc.want {
				t.Errorf("Text = %q, want %q", got, tc.want)
			}
		})
	}
	if got := c.HTML(French, "bold", "Name", `<script>"`); got != `<b>&lt;script&gt;&#34;</b>` {
		t.Errorf("HTML = %q: the argument must be escaped, the message kept", got)
	}
}

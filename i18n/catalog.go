package i18n

import (
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"regexp"
	"slices"
	"sort"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	msgtemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"

	"github.com/sesame-idp/sesame/templates"
)

// Catalog holds every message in every language. It is read once, at
// start, and is safe for concurrent use.
type Catalog struct {
	localizers map[Lang]*goi18n.Localizer
	messages   map[Lang]map[string]*goi18n.Message
}

// Load reads the catalog embedded in the binary (templates/i18n).
func Load() (*Catalog, error) { return LoadFS(templates.FS, "i18n") }

// LoadFS reads dir/<lang>.json of fsys for every language. It fails when
// a file is missing or broken, or when the languages do not have the same
// keys with the same placeholders, so that a bad catalog never starts.
func LoadFS(fsys fs.FS, dir string) (*Catalog, error) {
	bundle := goi18n.NewBundle(Default.Tag())
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{localizers: map[Lang]*goi18n.Localizer{}, messages: map[Lang]map[string]*goi18n.Message{}}
	for _, l := range Languages {
		f, err := bundle.LoadMessageFileFS(fsys, dir+"/"+string(l)+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", l, err)
		}
		byKey := make(map[string]*goi18n.Message, len(f.Messages))
		for _, m := range f.Messages {
			byKey[m.ID] = m
		}
		c.messages[l] = byKey
		c.localizers[l] = goi18n.NewLocalizer(bundle, string(l))
	}
	if err := c.Consistent(); err != nil {
		return nil, err
	}
	return c, nil
}

// Consistent reports the first key that one language lacks or whose
// placeholders differ from French's.
func (c *Catalog) Consistent() error {
	ref := c.messages[Default]
	for _, l := range Languages[1:] {
		for _, k := range c.Keys(l) {
			if _, ok := ref[k]; !ok {
				return fmt.Errorf("i18n: message %q exists in %s but not in %s", k, l, Default)
			}
		}
		for _, k := range c.Keys(Default) {
			m, ok := c.messages[l][k]
			if !ok {
				return fmt.Errorf("i18n: message %q has no %s text", k, l)
			}
			want, got := placeholders(ref[k]), placeholders(m)
			if !slices.Equal(want, got) {
				return fmt.Errorf("i18n: message %q has placeholders %v in %s but %v in %s", k, want, Default, got, l)
			}
		}
	}
	return nil
}

// Keys returns the keys of lang's messages, sorted.
func (c *Catalog) Keys(lang Lang) []string {
	keys := make([]string, 0, len(c.messages[lang]))
	for k := range c.messages[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether key is a message of the catalog.
func (c *Catalog) Has(key string) bool {
	_, ok := c.messages[Default][key]
	return ok
}

// Placeholders returns the names of the placeholders of key in lang
// ({{.Email}} → "Email"), sorted and without duplicates.
func (c *Catalog) Placeholders(lang Lang, key string) []string {
	m, ok := c.messages[lang][key]
	if !ok {
		return nil
	}
	return placeholders(m)
}

// placeholderRef finds {{.Name}} in a message's text.
var placeholderRef = regexp.MustCompile(`\{\{\s*\.([A-Za-z][A-Za-z0-9]*)\s*\}\}`)

func placeholders(m *goi18n.Message) []string {
	seen := map[string]bool{}
	for _, text := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		for _, p := range placeholderRef.FindAllStringSubmatch(text, -1) {
			seen[p[1]] = true
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// strict fails a message whose placeholder got no value, rather than
// writing "<no value>" in a sentence.
var strict = &msgtemplate.TextParser{Option: "missingkey=error"}

// Text returns the message key in lang with its placeholders filled from
// args, given as name/value pairs: Text(fr, "admin_signed_in_as", "Email",
// e). A value named "Count" also chooses the plural form. An unknown key,
// or a placeholder left without a value, gives the key itself, so that a
// mistake shows rather than hides.
func (c *Catalog) Text(lang Lang, key string, args ...any) string {
	loc, ok := c.localizers[lang]
	if !ok {
		loc = c.localizers[Default]
	}
	data, count := templateData(args)
	cfg := &goi18n.LocalizeConfig{MessageID: key, TemplateData: data, TemplateParser: strict}
	if count != nil {
		cfg.PluralCount = count
	}
	s, err := loc.Localize(cfg)
	if err != nil && s == "" { // with an error, go-i18n may still give a usable plural form
		return key
	}
	return s
}

// HTML is Text for a message that holds markup (<strong>, <code>): the
// message itself is trusted, every string argument is escaped.
func (c *Catalog) HTML(lang Lang, key string, args ...any) template.HTML {
	escaped := make([]any, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok && i%2 == 1 {
			a = html.EscapeString(s)
		}
		escaped[i] = a
	}
	return template.HTML(c.Text(lang, key, escaped...)) // #nosec: catalog text, escaped arguments
}

// templateData turns name/value pairs into go-i18n's template data; an odd
// trailing name is ignored.
func templateData(args []any) (map[string]any, any) {
	if len(args) < 2 {
		return nil, nil
	}
	data := make(map[string]any, len(args)/2)
	var count any
	for i := 0; i+1 < len(args); i += 2 {
		name := fmt.Sprint(args[i])
		data[name] = args[i+1]
		if name == "Count" {
			count = args[i+1]
		}
	}
	return data, count
}

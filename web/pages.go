package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/sesame-idp/sesame/templates"
)

// Languages of the pages, the first one the default.
var languages = []string{"fr", "en"}

// pages holds the parsed page templates and the messages of each language.
type pages struct {
	byName   map[string]*template.Template
	messages map[string]map[string]string
}

func staticFS() http.FileSystem {
	sub, err := fs.Sub(templates.FS, ".")
	if err != nil {
		panic(err)
	}
	return http.FS(sub)
}

// loadPages parses every page once, each with the shared layout, and
// checks that every language has the same message keys.
func loadPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}, messages: map[string]map[string]string{}}
	// Messages come from i18n/<area>.<lang>.json (or i18n/<lang>.json):
	// one file per area of the pages and language, merged; a key defined
	// twice is an error.
	msgFiles, err := fs.Glob(templates.FS, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	for _, lang := range languages {
		p.messages[lang] = map[string]string{}
	}
	for _, f := range msgFiles {
		parts := strings.Split(strings.TrimSuffix(path.Base(f), ".json"), ".")
		lang := parts[len(parts)-1]
		msgs, ok := p.messages[lang]
		if !ok {
			return nil, fmt.Errorf("web: messages %s: unknown language %q", f, lang)
		}
		raw, err := fs.ReadFile(templates.FS, f)
		if err != nil {
			return nil, fmt.Errorf("web: messages %s: %w", f, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("web: messages %s: %w", f, err)
		}
		for k, v := range m {
			if _, dup := msgs[k]; dup {
				return nil, fmt.Errorf("web: message %q defined twice (%s)", k, f)
			}
			msgs[k] = v
		}
	}
	for k := range p.messages["fr"] {
		if _, ok := p.messages["en"][k]; !ok {
			return nil, fmt.Errorf("web: message %q has no English text", k)
		}
	}
	for k := range p.messages["en"] {
		if _, ok := p.messages["fr"][k]; !ok {
			return nil, fmt.Errorf("web: message %q has no French text", k)
		}
	}
	files, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"join": strings.Join,
	}
	// Files named partial_*.html hold parts several pages share.
	partials, err := fs.Glob(templates.FS, "pages/partial_*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || strings.HasPrefix(name, "partial_") {
			continue
		}
		t, err := template.New("layout.html").Option("missingkey=error").Funcs(funcs).
			ParseFS(templates.FS, append([]string{"pages/layout.html", f}, partials...)...)
		if err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		p.byName[name] = t
	}
	if err := checkMessageKeys(p.messages["fr"]); err != nil {
		return nil, err
	}
	for _, required := range []string{"login", "consent", "error", "logout", "account"} {
		if _, ok := p.byName[required]; !ok {
			return nil, fmt.Errorf("web: page template %q is missing", required)
		}
	}
	return p, nil
}

// view is what every page template receives.
type view struct {
	Lang  string
	L     map[string]string // messages of Lang
	Title string
	CSRF  template.HTML // the hidden CSRF field, for forms
	// Switch is the current page in the other language.
	Switch template.URL
	Data   any
}

// render writes page name with data; a template error becomes a 500.
func (s *Server) render(c *gin.Context, status int, name, titleKey string, data any) {
	lang := langOf(c)
	msgs := s.pages.messages[lang]
	v := view{
		Lang:   lang,
		L:      msgs,
		Title:  msgs[titleKey],
		CSRF:   csrf.TemplateField(c.Request),
		Switch: switchURL(c.Request.URL.Path, c.Request.URL.Query(), lang),
		Data:   data,
	}
	t, ok := s.pages.byName[name]
	if !ok {
		panic("web: no page " + name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.Logger.ErrorContext(c.Request.Context(), "render", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorView is the data of the error page.
type errorView struct {
	Message string
	Detail  string // technical detail, safe to show (an OAuth error description)
	Status  int
}

// errorPage renders a page telling what went wrong with a message key.
func (s *Server) errorPage(c *gin.Context, status int, msgKey string) {
	s.render(c, status, "error", "error_title", errorView{Message: s.msg(c, msgKey), Status: status})
}

// msg returns the message key in the request's language.
func (s *Server) msg(c *gin.Context, key string) string {
	if m, ok := s.pages.messages[langOf(c)][key]; ok {
		return m
	}
	return key
}

// switchURL is the current page with lang set to the other language. A
// POST answer (a form shown again) switches to the form's page by GET.
func switchURL(path string, q url.Values, lang string) template.URL {
	other := "en"
	if lang == "en" {
		other = "fr"
	}
	q2 := url.Values{}
	for k, v := range q {
		q2[k] = v
	}
	q2.Set("lang", other)
	// A local path only: "//evil.test/x" (a 404) would lead to another site.
	u := url.URL{Path: "/" + strings.TrimLeft(path, `/\`), RawQuery: q2.Encode()}
	return template.URL(u.String()) // built by net/url: escaped
}

// messageRef finds the message keys a template names: .L.key or $L.key.
var messageRef = regexp.MustCompile(`(?:\.|\$)L\.([A-Za-z0-9_]+)`)

// checkMessageKeys fails when a page names a message that does not exist,
// so that a typo stops the start rather than a page at run time.
func checkMessageKeys(msgs map[string]string) error {
	files, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return err
	}
	for _, f := range files {
		raw, err := fs.ReadFile(templates.FS, f)
		if err != nil {
			return err
		}
		for _, m := range messageRef.FindAllStringSubmatch(string(raw), -1) {
			if _, ok := msgs[m[1]]; !ok {
				return fmt.Errorf("web: %s names the message %q, which has no text", f, m[1])
			}
		}
	}
	return nil
}

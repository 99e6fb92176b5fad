package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/templates"
)

// pages holds the parsed page templates.
type pages struct {
	byName map[string]*template.Template
}

func staticFS() http.FileSystem {
	sub, err := fs.Sub(templates.FS, ".")
	if err != nil {
		panic(err)
	}
	return http.FS(sub)
}

// loadPages parses every page once, each with the shared layout and the
// partials (pages/partial_*.html: markup several pages share).
func loadPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	files, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"join": strings.Join,
	}
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
	for _, required := range []string{"login", "consent", "error", "logout", "account"} {
		if _, ok := p.byName[required]; !ok {
			return nil, fmt.Errorf("web: page template %q is missing", required)
		}
	}
	return p, nil
}

// render writes page name with data; a template error becomes a 500.
func (s *Server) render(c *gin.Context, status int, name, titleKey string, data any) {
	lang := reqLang(c)
	v := view{
		Lang:    string(lang),
		Page:    name,
		Title:   s.catalog.Text(lang, titleKey),
		CSRF:    csrf.TemplateField(c.Request),
		Switch:  switchURL(c.Request.URL.Path, c.Request.URL.Query(), lang),
		Data:    data,
		catalog: s.catalog,
		dates:   s.dates(c),
		now:     s.Now(),
	}
	if name != "logout" && name != "consent" { // the sign-in protocol's own pages keep their one form
		v.Nav = s.navOf(c)
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
	Detail  string // the precise message, in the page's language
	Code    string // an error code for developers (OAuth's), shown as code
	Status  int
}

// errorPage renders a page telling what went wrong with a message key.
func (s *Server) errorPage(c *gin.Context, status int, msgKey string) {
	s.render(c, status, "error", "error_title", errorView{Message: s.msg(c, msgKey), Status: status})
}

// msg returns the message key in the request's language, its
// placeholders filled from args (name/value pairs, see i18n.Catalog.Text).
func (s *Server) msg(c *gin.Context, key string, args ...any) string {
	return s.catalog.Text(reqLang(c), key, args...)
}

// msgHTML is msg for a message that holds markup; args are escaped.
func (s *Server) msgHTML(c *gin.Context, key string, args ...any) template.HTML {
	return s.catalog.HTML(reqLang(c), key, args...)
}

// dates writes times in the request's language and the display zone.
func (s *Server) dates(c *gin.Context) i18n.Dates {
	return i18n.Dates{Lang: reqLang(c), Zone: s.Zone}
}

// datesIn is dates for code that has the language but not the request.
func (s *Server) datesIn(lang string) i18n.Dates {
	return i18n.Dates{Lang: i18n.Lang(lang), Zone: s.Zone}
}

// switchURL is the current page with lang set to the other language. A
// POST answer (a form shown again) switches to the form's page by GET.
func switchURL(path string, q url.Values, lang i18n.Lang) template.URL {
	other := i18n.English
	if lang == i18n.English {
		other = i18n.French
	}
	q2 := url.Values{}
	for k, v := range q {
		q2[k] = v
	}
	q2.Set("lang", string(other))
	// A local path only: "//evil.test/x" (a 404) would lead to another site.
	u := url.URL{Path: "/" + strings.TrimLeft(path, `/\`), RawQuery: q2.Encode()}
	return template.URL(u.String()) // built by net/url: escaped
}

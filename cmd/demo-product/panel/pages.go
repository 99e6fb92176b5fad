package panel

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/productkit"
)

//go:embed templates/*.html static/panel.css
var assets embed.FS

// pageNames are the templates under templates/, each defining "content"
// for layout.html.
var pageNames = []string{"home", "domains", "domain", "servers", "server_delete", "mailboxes", "notfound"}

// pages holds every page parsed once per language, so that templates call
// {{t "key"}} without passing the language around.
type pages struct {
	byLang map[string]map[string]*template.Template
}

func loadPages() (*pages, error) {
	p := &pages{byLang: map[string]map[string]*template.Template{}}
	for _, lang := range []string{"fr", "en"} {
		funcs := template.FuncMap{
			"t":  func(key string) string { return tr(lang, key) },
			"tf": func(key string, args ...any) string { return fmt.Sprintf(tr(lang, key), args...) },
		}
		layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html")
		if err != nil {
			return nil, fmt.Errorf("demo: layout: %w", err)
		}
		p.byLang[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.Must(layout.Clone()).ParseFS(assets, "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("demo: page %s: %w", name, err)
			}
			p.byLang[lang][name] = t
		}
	}
	return p, nil
}

// view is what every page receives.
type view struct {
	Lang       string
	Product    *product
	Identity   *productkit.Identity
	Actions    []actionView
	Flash      string
	Error      string
	LoginURL   string
	SwitchURL  string
	LogoutPath string
	CSRF       string // the sign-out form's CSRF token
	Data       any
}

// render writes page name with status; data goes to .Data.
func (p *panel) render(c *gin.Context, status int, name string, data any) {
	p.renderErr(c, status, name, data, "")
}

// renderErr is render showing the message errKey (a key of texts) as an
// error.
func (p *panel) renderErr(c *gin.Context, status int, name string, data any, errKey string) {
	lang := productkit.Lang(c)
	v := view{
		Lang: lang, Product: p.product, Data: data,
		LoginURL:   p.wa.LoginURL(c.Request.URL.RequestURI()),
		SwitchURL:  p.wa.LoginURL(p.product.Home) + "&prompt=login",
		LogoutPath: p.wa.LogoutPath(),
		CSRF:       p.wa.CSRFToken(c),
	}
	if id, ok := productkit.IdentityFrom(c); ok {
		v.Identity = &id
		v.Actions = actionsFor(lang, p.product, id)
	}
	if k := c.Query("ok"); flashKeys[k] {
		v.Flash = tr(lang, k)
	}
	if k := c.Query("err"); flashKeys[k] {
		v.Error = tr(lang, k)
	}
	if errKey != "" {
		v.Error = tr(lang, errKey)
	}
	var buf bytes.Buffer
	if err := p.pages.byLang[lang][name].ExecuteTemplate(&buf, "layout", v); err != nil {
		p.log.ErrorContext(c.Request.Context(), "demo: render", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (p *panel) home(c *gin.Context) { p.render(c, http.StatusOK, "home", nil) }

func (p *panel) notFound(c *gin.Context) { p.render(c, http.StatusNotFound, "notfound", nil) }

func serveCSS(c *gin.Context) {
	css, _ := assets.ReadFile("static/panel.css")
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "text/css; charset=utf-8", css)
}

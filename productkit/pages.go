package productkit

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
)

// browserAnswer answers browser routes with pages, or a redirect to sign
// in.
type browserAnswer struct{ w *WebAuth }

func (a browserAnswer) unauthorized(c *gin.Context) {
	if m := c.Request.Method; m == http.MethodGet || m == http.MethodHead {
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusSeeOther, a.w.LoginURL(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	a.w.page(c, http.StatusUnauthorized, pageView{TitleKey: "unauth_title", BodyKey: "unauth_body", SignIn: true})
}

func (a browserAnswer) forbidden(c *gin.Context, right, resource string) {
	a.w.page(c, http.StatusForbidden, pageView{
		TitleKey: "forbidden_title", BodyKey: "forbidden_body", Right: right, Resource: resource, Home: true,
	})
}

func (a browserAnswer) unavailable(c *gin.Context) {
	c.Header("Retry-After", "5")
	a.w.page(c, http.StatusServiceUnavailable, pageView{TitleKey: "unavailable_title", BodyKey: "unavailable_body", Home: true})
}

// pageView is what a productkit page shows.
type pageView struct {
	TitleKey, BodyKey string
	Right, Resource   string
	SignIn            bool   // offer to sign in
	Retry             bool   // offer to start the sign-in again
	Home              bool   // offer the way back home
	SignInHome        bool   // offer to sign in again, landing on the home page
	SignOut           string // show the sign-out form with this CSRF token
	StepUp            string // offer to confirm with a second factor here
}

type pageLink struct{ Href, Label string }

type pageData struct {
	Lang, Title, Body, On, Help string
	Right, Resource             string
	Stylesheet                  string
	Links                       []pageLink
	SignOut                     *pageForm
}

type pageForm struct{ Action, Field, Token, Label string }

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
{{with .Stylesheet}}<link rel="stylesheet" href="{{.}}">{{end}}
</head>
<body class="pk-page">
<main class="pk-box">
<h1>{{.Title}}</h1>
<p>{{.Body}}</p>
{{- if .Right}}
<p class="pk-right"><code>{{.Right}}</code>{{with .Resource}} {{$.On}} <code>{{.}}</code>{{end}}</p>
<p>{{.Help}}</p>
{{- end}}
{{- with .SignOut}}
<form method="post" action="{{.Action}}"><input type="hidden" name="{{.Field}}" value="{{.Token}}"><button type="submit" class="pk-button">{{.Label}}</button></form>
{{- end}}
<p class="pk-links">{{range .Links}}<a class="pk-button" href="{{.Href}}">{{.Label}}</a> {{end}}</p>
</main>
</body>
</html>
`))

// page renders v with status and aborts the request.
func (w *WebAuth) page(c *gin.Context, status int, v pageView) {
	lang := Lang(c)
	d := pageData{
		Lang: lang, Title: text(lang, v.TitleKey), Body: text(lang, v.BodyKey),
		On: text(lang, "forbidden_on"), Help: text(lang, "forbidden_help"),
		Right: v.Right, Resource: v.Resource, Stylesheet: w.cfg.Stylesheet,
	}
	if v.SignIn {
		d.Links = append(d.Links, pageLink{w.LoginURL(c.Request.URL.RequestURI()), text(lang, "signin")})
	}
	if v.SignInHome {
		d.Links = append(d.Links, pageLink{w.LoginURL(w.cfg.AfterLogin), text(lang, "signin")})
	}
	if v.SignOut != "" {
		d.SignOut = &pageForm{Action: w.cfg.LogoutPath, Field: CSRFField, Token: v.SignOut, Label: text(lang, "signout")}
	}
	if v.StepUp != "" {
		d.Links = append(d.Links, pageLink{v.StepUp, text(lang, "stepup_confirm")})
	}
	if v.Retry {
		d.Links = append(d.Links, pageLink{w.cfg.LoginPath, text(lang, "retry")})
	}
	if v.Home {
		d.Links = append(d.Links, pageLink{w.cfg.AfterLogin, text(lang, "home")})
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	if err := pageTemplate.Execute(c.Writer, d); err != nil {
		w.log.ErrorContext(c.Request.Context(), "productkit: render page", "err", err)
	}
	c.Abort()
}

package panel

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	pk "github.com/sesame-idp/sesame/productkit"
)

// mountDomain serves the domain panel. Viewing takes domain:read (on the
// domain, or on any domain for the list, which is then filtered); editing
// a zone takes domain:dns or domain:dns:<that domain>, decided live by the
// check API so that a right removed a moment ago is refused at once.
func mountDomain(p *panel, web, api *gin.RouterGroup) {
	read := pk.Require("domain:read", pk.ResourceParam("domain"))
	edit := pk.Require("domain:dns", pk.ResourceParam("domain"), pk.Live(p.checker))
	web.GET("/domains", pk.Require("domain:read", pk.AnyResource()), p.domainsPage)
	web.GET("/domains/:domain", read, func(c *gin.Context) { p.domainPage(c, http.StatusOK, "") })
	web.POST("/domains/:domain/records", edit, p.addRecordForm)
	web.POST("/domains/:domain/records/:id/delete", edit, p.deleteRecordForm)

	api.GET("/domains", pk.Require("domain:read", pk.AnyResource()), p.apiDomains)
	api.GET("/domains/:domain/records", read, p.apiRecords)
	api.POST("/domains/:domain/records", edit, p.apiAddRecord)
	api.DELETE("/domains/:domain/records/:id", edit, p.apiDeleteRecord)
}

// ident returns the identity Require has already insisted on.
func ident(c *gin.Context) pk.Identity {
	id, _ := pk.IdentityFrom(c)
	return id
}

type domainRow struct {
	Name     string
	Records  int
	Editable bool
}

func (p *panel) domainsPage(c *gin.Context) {
	id := ident(c)
	var rows []domainRow
	for _, d := range p.store.Domains(id.AccountID) {
		if id.Allows("domain:read", d.Name) {
			rows = append(rows, domainRow{Name: d.Name, Records: len(d.Records), Editable: id.Allows("domain:dns", d.Name)})
		}
	}
	p.render(c, http.StatusOK, "domains", rows)
}

type domainView struct {
	Domain      Domain
	CanEdit     bool
	Unavailable bool
	Types       []string
}

// domainPage shows a zone. Whether the edit form is enabled is asked live,
// as the server will decide when the form is sent.
func (p *panel) domainPage(c *gin.Context, status int, errKey string) {
	id := ident(c)
	d, err := p.store.Domain(id.AccountID, c.Param("domain"))
	if err != nil {
		p.notFound(c)
		return
	}
	v := domainView{Domain: d, Types: recordTypes}
	v.CanEdit, err = p.checker.Check(c.Request.Context(), id.Sub, id.AccountID, "domain:dns", d.Name)
	if err != nil {
		p.log.WarnContext(c.Request.Context(), "demo: live check", "err", err)
		v.Unavailable = true
	}
	p.renderErr(c, status, "domain", v, errKey)
}

func (p *panel) addRecordForm(c *gin.Context) {
	domain := c.Param("domain")
	in := recordInput{Type: c.PostForm("type"), Name: c.PostForm("name"), Value: c.PostForm("value"), TTL: c.PostForm("ttl")}
	r, err := in.check()
	if err == nil {
		_, err = p.store.AddRecord(ident(c).AccountID, domain, r)
	}
	p.afterForm(c, err, "/domains/"+domain, "ok_record_added", func(status int, key string) { p.domainPage(c, status, key) })
}

func (p *panel) deleteRecordForm(c *gin.Context) {
	domain := c.Param("domain")
	n, err := strconv.Atoi(c.Param("id"))
	if err != nil {
		p.notFound(c)
		return
	}
	err = p.store.DeleteRecord(ident(c).AccountID, domain, n)
	p.afterForm(c, err, "/domains/"+domain, "ok_record_deleted", func(status int, key string) { p.domainPage(c, status, key) })
}

// afterForm ends a form submission: on success a redirect to back showing
// okKey; on a refused input the page again with its message and 400 (409
// for a conflict or a limit); on an unknown resource 404.
func (p *panel) afterForm(c *gin.Context, err error, back, okKey string, again func(status int, key string)) {
	var in *inputError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, back+"?ok="+okKey)
	case errors.As(err, &in):
		again(http.StatusBadRequest, in.Key)
	case errors.Is(err, errExists):
		again(http.StatusConflict, "err_exists")
	case errors.Is(err, errFull):
		again(http.StatusConflict, "err_full")
	default:
		p.notFound(c)
	}
}

func (p *panel) apiDomains(c *gin.Context) {
	id := ident(c)
	out := []gin.H{}
	for _, d := range p.store.Domains(id.AccountID) {
		if id.Allows("domain:read", d.Name) {
			out = append(out, gin.H{"name": d.Name, "records": len(d.Records), "dns_editable": id.Allows("domain:dns", d.Name)})
		}
	}
	c.JSON(http.StatusOK, gin.H{"domains": out})
}

func (p *panel) apiRecords(c *gin.Context) {
	d, err := p.store.Domain(ident(c).AccountID, c.Param("domain"))
	if err != nil {
		apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (p *panel) apiAddRecord(c *gin.Context) {
	var in recordInput
	if err := c.ShouldBindJSON(&in); err != nil {
		apiError(c, &inputError{"err_json"})
		return
	}
	r, err := in.check()
	if err == nil {
		r, err = p.store.AddRecord(ident(c).AccountID, c.Param("domain"), r)
	}
	if err != nil {
		apiError(c, err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

func (p *panel) apiDeleteRecord(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("id"))
	if err == nil {
		err = p.store.DeleteRecord(ident(c).AccountID, c.Param("domain"), n)
	} else {
		err = errNotFound
	}
	if err != nil {
		apiError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiError answers err in JSON: 400 invalid_request, 409 conflict or
// limit_reached, 404 not_found.
func apiError(c *gin.Context, err error) {
	lang := pk.Lang(c)
	var in *inputError
	switch {
	case errors.As(err, &in):
		c.JSON(http.StatusBadRequest, pk.ErrorBody{Error: "invalid_request", Message: tr(lang, in.Key)})
	case errors.Is(err, errExists):
		c.JSON(http.StatusConflict, pk.ErrorBody{Error: "conflict", Message: tr(lang, "err_exists")})
	case errors.Is(err, errFull):
		c.JSON(http.StatusConflict, pk.ErrorBody{Error: "limit_reached", Message: tr(lang, "err_full")})
	default:
		c.JSON(http.StatusNotFound, pk.ErrorBody{Error: "not_found", Message: tr(lang, "err_not_found")})
	}
}

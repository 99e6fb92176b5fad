package panel

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	pk "github.com/sesame-idp/sesame/productkit"
)

// mountEmail serves the email panel: email:read to view, email:manage to
// create and delete mailboxes (decided live by the check API). The resource of a mailbox right is its mail
// domain: email:manage:example.cm manages the addresses @example.cm.
func mountEmail(p *panel, web, api *gin.RouterGroup) {
	byAddress := pk.ResourceFunc(func(c *gin.Context) string { return domainOf(c.Param("address")) })
	web.GET("/mailboxes", pk.Require("email:read", pk.AnyResource()), p.mailboxesPage)
	live := pk.Live(p.checker)
	web.POST("/mailboxes", pk.Require("email:manage", pk.ResourceFunc(func(c *gin.Context) string {
		return strings.ToLower(strings.TrimSpace(c.PostForm("domain")))
	}), live), p.addMailboxForm)
	web.POST("/mailboxes/:address/delete", pk.Require("email:manage", byAddress, live), p.deleteMailboxForm)

	api.GET("/mailboxes", pk.Require("email:read", pk.AnyResource()), p.apiMailboxes)
	api.PUT("/mailboxes/:address", pk.Require("email:manage", byAddress, live), p.apiAddMailbox)
	api.DELETE("/mailboxes/:address", pk.Require("email:manage", byAddress, live), p.apiDeleteMailbox)
}

func domainOf(address string) string {
	_, d, _ := strings.Cut(strings.ToLower(address), "@")
	return d
}

type mailboxRow struct {
	Mailbox
	CanManage bool `json:"can_manage"`
}

type mailboxesView struct {
	Rows    []mailboxRow
	Domains []string // where the person may create a mailbox
}

func (p *panel) mailboxes(id pk.Identity) mailboxesView {
	var v mailboxesView
	for _, m := range p.store.Mailboxes(id.AccountID) {
		if id.Allows("email:read", m.Domain()) {
			v.Rows = append(v.Rows, mailboxRow{Mailbox: m, CanManage: id.Allows("email:manage", m.Domain())})
		}
	}
	for _, d := range p.store.Domains(id.AccountID) {
		if id.Allows("email:manage", d.Name) {
			v.Domains = append(v.Domains, d.Name)
		}
	}
	return v
}

func (p *panel) mailboxesPage(c *gin.Context) {
	p.render(c, http.StatusOK, "mailboxes", p.mailboxes(ident(c)))
}

func (p *panel) addMailboxForm(c *gin.Context) {
	addr, err := checkAddress(c.PostForm("local"), c.PostForm("domain"))
	if err == nil {
		_, err = p.store.AddMailbox(ident(c).AccountID, addr)
	}
	p.afterForm(c, err, "/mailboxes", "ok_mailbox_added", func(status int, key string) {
		p.renderErr(c, status, "mailboxes", p.mailboxes(ident(c)), key)
	})
}

func (p *panel) deleteMailboxForm(c *gin.Context) {
	err := p.store.DeleteMailbox(ident(c).AccountID, strings.ToLower(c.Param("address")))
	p.afterForm(c, err, "/mailboxes", "ok_mailbox_gone", func(int, string) { p.notFound(c) })
}

func (p *panel) apiMailboxes(c *gin.Context) {
	rows := p.mailboxes(ident(c)).Rows
	if rows == nil {
		rows = []mailboxRow{}
	}
	c.JSON(http.StatusOK, gin.H{"mailboxes": rows})
}

func (p *panel) apiAddMailbox(c *gin.Context) {
	local, domain, _ := strings.Cut(c.Param("address"), "@")
	addr, err := checkAddress(local, domain)
	var m Mailbox
	if err == nil {
		m, err = p.store.AddMailbox(ident(c).AccountID, addr)
	}
	if err != nil {
		apiError(c, err)
		return
	}
	c.JSON(http.StatusCreated, m)
}

func (p *panel) apiDeleteMailbox(c *gin.Context) {
	if err := p.store.DeleteMailbox(ident(c).AccountID, strings.ToLower(c.Param("address"))); err != nil {
		apiError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

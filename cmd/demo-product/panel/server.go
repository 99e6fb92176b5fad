package panel

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	pk "github.com/sesame-idp/sesame/productkit"
)

// powerOps are the actions a server accepts; each takes server:operate
// (or server:operate:<that server>).
var powerOps = []string{"reboot", "stop", "start"}

// deleteStepUp is how recent a second factor must be to delete a server.
const deleteStepUp = 10 * time.Minute

// mountServer serves the server panel: server:read to view, from the
// rights of the session's token; server:operate to reboot, stop or start,
// decided live by the check API; server:manage to delete, decided live
// too, and only with a second factor of less than deleteStepUp.
func mountServer(p *panel, web, api *gin.RouterGroup) {
	operate := pk.Require("server:operate", pk.ResourceParam("server"), pk.Live(p.checker))
	manage := pk.Require("server:manage", pk.ResourceParam("server"), pk.Live(p.checker))
	web.GET("/servers", pk.Require("server:read", pk.AnyResource()), p.serversPage)
	web.GET("/servers/:server/delete", manage, p.wa.RequireStepUp(deleteStepUp), p.deleteServerPage)
	web.POST("/servers/:server/delete", manage, p.wa.RequireStepUp(deleteStepUp), p.deleteServerForm)
	web.POST("/servers/:server/:op", operate, p.powerForm)

	api.GET("/servers", pk.Require("server:read", pk.AnyResource()), p.apiServers)
	api.POST("/servers/:server/:op", operate, p.apiPower)
}

type serverRow struct {
	Server
	CanOperate bool
	CanManage  bool `json:"-"`
	Ops        []string
}

func (p *panel) serversPage(c *gin.Context) {
	id := ident(c)
	var rows []serverRow
	for _, s := range p.store.Servers(id.AccountID) {
		if id.Allows("server:read", s.Name) {
			rows = append(rows, serverRow{Server: s, CanOperate: id.Allows("server:operate", s.Name),
				CanManage: id.Allows("server:manage", s.Name), Ops: powerOps})
		}
	}
	p.render(c, http.StatusOK, "servers", rows)
}

func (p *panel) powerForm(c *gin.Context) {
	_, err := p.store.Power(ident(c).AccountID, c.Param("server"), c.Param("op"))
	p.afterForm(c, err, "/servers", "ok_server", func(int, string) { p.notFound(c) })
}

// deleteServerPage asks to confirm the deletion of a server.
func (p *panel) deleteServerPage(c *gin.Context) {
	for _, s := range p.store.Servers(ident(c).AccountID) {
		if s.Name == c.Param("server") {
			p.render(c, http.StatusOK, "server_delete", s)
			return
		}
	}
	p.notFound(c)
}

func (p *panel) deleteServerForm(c *gin.Context) {
	err := p.store.DeleteServer(ident(c).AccountID, c.Param("server"))
	p.afterForm(c, err, "/servers", "ok_server_deleted", func(int, string) { p.notFound(c) })
}

func (p *panel) apiServers(c *gin.Context) {
	id := ident(c)
	out := []serverRow{}
	for _, s := range p.store.Servers(id.AccountID) {
		if id.Allows("server:read", s.Name) {
			out = append(out, serverRow{Server: s, CanOperate: id.Allows("server:operate", s.Name)})
		}
	}
	c.JSON(http.StatusOK, gin.H{"servers": out})
}

func (p *panel) apiPower(c *gin.Context) {
	s, err := p.store.Power(ident(c).AccountID, c.Param("server"), c.Param("op"))
	if err != nil {
		apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, s)
}

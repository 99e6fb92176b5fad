package panel

import (
	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/productkit"
)

// action is something a person may do in a product, and the right it takes.
type action struct {
	Key   string // text key of its label
	Right string // "product:action"
	Live  bool   // decided through the check API rather than the token
}

// product describes one of the three panels.
type product struct {
	Key      string
	TitleKey string
	Home     string // the product's main page
	Actions  []action
	mount    func(p *panel, web, api *gin.RouterGroup)
}

// products are the panels this program can be.
var products = map[string]*product{
	"domain": {
		Key: "domain", TitleKey: "product_domain", Home: "/domains",
		Actions: []action{{"act_domain_read", "domain:read", false}, {"act_domain_dns", "domain:dns", true}},
		mount:   mountDomain,
	},
	"server": {
		Key: "server", TitleKey: "product_server", Home: "/servers",
		Actions: []action{{"act_server_read", "server:read", false}, {"act_server_op", "server:operate", true},
			{"act_server_delete", "server:manage", true}},
		mount: mountServer,
	},
	"email": {
		Key: "email", TitleKey: "product_email", Home: "/mailboxes",
		Actions: []action{{"act_email_read", "email:read", false}, {"act_email_manage", "email:manage", true}},
		mount:   mountEmail,
	},
}

// actionView tells a person whether they may do an action: everywhere
// ("all"), on some resources only ("some", listed), or not at all.
type actionView struct {
	Label, Right string
	Live         bool
	State        string
	Resources    []string
}

// actionsFor lists the product's actions as id may perform them, judged
// from the rights of the session's token.
func actionsFor(lang string, prod *product, id productkit.Identity) []actionView {
	var out []actionView
	for _, a := range prod.Actions {
		v := actionView{Label: tr(lang, a.Key), Right: a.Right, Live: a.Live, State: "none"}
		want, _ := productkit.ParseRight(a.Right)
		if id.Allows(a.Right, "") {
			v.State = "all"
		} else {
			for _, h := range id.Rights {
				held, ok := productkit.ParseRight(h)
				if ok && held.Product == want.Product && held.Action == want.Action && held.Resource != "" {
					v.State = "some"
					v.Resources = append(v.Resources, held.Resource)
				}
			}
		}
		out = append(out, v)
	}
	return out
}

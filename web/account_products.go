package web

import (
	"context"

	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
	"github.com/sesame-idp/sesame/rights"
)

// productLinks returns the products "Mon compte" links a to: the clients
// registered with a home page and a product (sesame clients create
// --client-uri --product) on which a holds at least one right now; every
// one of them for the owner, who holds every right of the account.
func (s *Server) productLinks(ctx context.Context, a members.Actor) ([]sqlstore.ProductLink, error) {
	all, err := s.OAuth.Store.ProductLinks(ctx)
	if err != nil {
		return nil, err
	}
	if a.Owner {
		return all, nil
	}
	held := map[string]bool{}
	for _, r := range a.Rights {
		if p, err := rights.Parse(r); err == nil {
			held[p.Product] = true
		}
	}
	var links []sqlstore.ProductLink
	for _, l := range all {
		if held[l.Product] {
			links = append(links, l)
		}
	}
	return links, nil
}

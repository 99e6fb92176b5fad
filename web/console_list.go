package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/rights"
)

// memberPage is how many login accounts the console lists at once.
const memberPageSize = 50

// memberListState is the console list's search, filters and page, as
// the address holds them (a GET form), with the links to the pages.
type memberListState struct {
	Q, Status, Right string
	Page, Pages      int
	Total            int
	Prev, Next       string
	Rights           []rightOption // the catalog, for the filter by right
}

// filterMembers keeps the rows the search (email or name), the status
// and the right select, and the rows of the page asked for.
func (s *Server) filterMembers(c *gin.Context, rows []memberRow) ([]memberRow, memberListState) {
	st := memberListState{Q: strings.TrimSpace(c.Query("q")), Status: c.Query("status"), Right: c.Query("right")}
	q := strings.ToLower(st.Q)
	var kept []memberRow
	for _, r := range rows {
		if q != "" && !strings.Contains(strings.ToLower(r.Email), q) && !strings.Contains(strings.ToLower(r.Name), q) {
			continue
		}
		if st.Status != "" && string(r.Status) != st.Status {
			continue
		}
		if st.Right != "" && r.Role != account.RoleOwner {
			held := make([]string, len(r.Grants))
			for i, g := range r.Grants {
				held[i] = g.Right
			}
			if !listedUnder(held, st.Right) {
				continue
			}
		}
		kept = append(kept, r)
	}
	st.Total = len(kept)
	st.Pages = max(1, (len(kept)+memberPageSize-1)/memberPageSize)
	st.Page, _ = strconv.Atoi(c.Query("page"))
	st.Page = min(max(st.Page, 1), st.Pages)
	from := (st.Page - 1) * memberPageSize
	kept = kept[from:min(from+memberPageSize, len(kept))]
	link := func(page int) string {
		v := url.Values{}
		for k, val := range map[string]string{"q": st.Q, "status": st.Status, "right": st.Right} {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("page", strconv.Itoa(page))
		return "/console/members?" + v.Encode()
	}
	if st.Page > 1 {
		st.Prev = link(st.Page - 1)
	}
	if st.Page < st.Pages {
		st.Next = link(st.Page + 1)
	}
	for _, g := range s.rightGroups(langOf(c), actorOf(c), nil) {
		for _, o := range g.Rights {
			o.Checked = o.Right == st.Right
			st.Rights = append(st.Rights, o)
		}
	}
	return kept, st
}

// listedUnder reports whether the rights held put a login account under
// the list's filter by right: "product:action" (the catalog's rights, as
// the filter offers them) lists it holding the right on the whole product
// or narrowed to any resource; "product:action:resource" lists it when
// what it holds allows that resource.
func listedUnder(held []string, filter string) bool {
	if want, err := rights.Parse(filter); err == nil && want.Resource == "" {
		return rights.AllowsAny(held, filter)
	}
	return rights.Allows(held, filter, "")
}

// consoleBulkDisable disables the login accounts ticked in the list, all
// or none: they are disabled in one transaction, and the first refusal
// stops it, disables nobody and is explained like a single one.
func (s *Server) consoleBulkDisable(c *gin.Context) error {
	a := actorOf(c)
	ids := c.PostFormArray("ids")
	if len(ids) == 0 || len(ids) > 500 {
		return badRequest("no_selection", "console_bulk_none")
	}
	// In one order, so that two bulk disables lock the rows alike.
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	err := s.Members.InTx(c.Request.Context(), func(ctx context.Context) error {
		for _, id := range ids {
			if err := s.Members.SetDisabled(ctx, a, a.AccountID, id, true); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_bulk_disabled")
	return nil
}

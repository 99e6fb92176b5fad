package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/rbac"
)

// adminExplain decides like the check API and says why. sub is a member
// ID, or the email of a member of accountID.
func (s *Server) adminExplain(ctx context.Context, sub, accountID, right, resource string) (rbac.Explanation, error) {
	sub, accountID = strings.TrimSpace(sub), strings.TrimSpace(accountID)
	right, resource = strings.TrimSpace(right), strings.TrimSpace(resource)
	if sub == "" || accountID == "" || right == "" {
		return rbac.Explanation{}, badRequest("invalid_request", "admin_err_explain_missing")
	}
	if id, ok := account.NormalizeAccountID(accountID); ok {
		accountID = id
	}
	if strings.Contains(sub, "@") {
		m, err := s.Accounts.MemberByEmail(ctx, accountID, sub)
		switch {
		case errors.Is(err, account.ErrNotFound) || errors.Is(err, account.ErrInvalidEmail):
			return rbac.Explanation{}, notMember(sub, accountID).wrap(err)
		case err != nil:
			return rbac.Explanation{}, err
		}
		sub = m.ID
	}
	return s.Rights.Explain(ctx, sub, accountID, right, resource)
}

type adminExplainView struct {
	Admin                           account.Admin
	Sub, AccountID, Right, Resource string
	Catalog                         []adminRightGroup // the chosen right checked
	Members                         []account.Member  // of AccountID, offered as subjects
	Result                          *rbac.Explanation
	RuleLine                        string // the deciding rule, as Casbin writes it
	Reason                          string // the reason, in the reader's language
	Who                             string // the email of the member asked about
	Error                           string
	Detail                          string
}

// adminExplainPage is the explain tool: a GET form (it changes nothing, and
// its answer can be linked to) that shows the decision, the rule that made
// it and the reason.
func (s *Server) adminExplainPage(c *gin.Context) error {
	ctx := c.Request.Context()
	v := adminExplainView{
		Admin: adminOf(c), Sub: c.Query("sub"), AccountID: c.Query("account_id"),
		Right: c.Query("right"), Resource: c.Query("resource"),
	}
	v.Catalog = adminCatalog(langOf(c), v.Right)
	if id, ok := account.NormalizeAccountID(v.AccountID); ok {
		list, err := s.Accounts.Members(ctx, id)
		if err != nil {
			return err
		}
		v.Members = list
	}
	if _, asked := c.GetQuery("right"); !asked {
		s.render(c, http.StatusOK, "admin_explain", "admin_explain_title", v)
		return nil
	}
	x, err := s.adminExplain(ctx, v.Sub, v.AccountID, v.Right, v.Resource)
	if err != nil {
		e := s.classify(c, err)
		if e.Status >= http.StatusInternalServerError {
			return e
		}
		v.Error, v.Detail = s.message(c, e), s.detail(c, e)
		s.render(c, e.Status, "admin_explain", "admin_explain_title", v)
		return nil
	}
	v.Result = &x
	v.RuleLine = strings.Join(x.Rule, ", ")
	if len(x.Request) > 0 {
		for _, m := range v.Members {
			if m.ID == x.Request[0] {
				v.Who = m.Email
			}
		}
	}
	v.Reason = s.explainReason(c, x, v.Who)
	s.render(c, http.StatusOK, "admin_explain", "admin_explain_title", v)
	return nil
}

// whyKey is the message key of an Explanation's Why.
func whyKey(why string) string { return "explain_why_" + why }

// explainUntilKeys are the reasons written otherwise for a grant that
// expires.
var explainUntilKeys = map[string]string{
	"explain_why_granted":      "explain_why_granted_until",
	"explain_why_granted_role": "explain_why_granted_role_until",
}

// explainReason writes the reason of x in the reader's language: "*"
// becomes "every right" or "every resource", expiries are dates of the
// display time zone, rights are named by their labels.
func (s *Server) explainReason(c *gin.Context, x rbac.Explanation, who string) string {
	if x.Why == "" {
		return x.Reason
	}
	lang := langOf(c)
	args := make([]any, 0, 2*len(x.Facts)+2)
	for k, v := range x.Facts {
		switch k {
		case "Member":
			if who != "" {
				v = who
			}
		case "Role":
			if v == "owner" {
				v = s.msg(c, "role_owner")
			}
		case "Right":
			v = s.adminRightLabel(c, lang, v)
		case "Resource":
			if v == "*" || v == "" {
				v = s.msg(c, "explain_every_resource")
			}
		case "Until":
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				v = s.dates(c).DateTime(t)
			}
		}
		args = append(args, k, v)
	}
	key := whyKey(x.Why)
	if until, ok := explainUntilKeys[key]; ok && x.Facts["Until"] != "" {
		key = until
	}
	return s.msg(c, key, args...)
}

package web

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/oauth"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// consentRights is the consent item "your rights in this account": the
// consent page of a sign-in (scope openid) lists it, and a third-party
// client gets the rights claim only when the person allowed it. It is no
// OAuth scope.
const consentRights = "sesame:rights"

// consentItems are what the consent page of ar lists and what the person's
// answer covers: the requested scopes, and the rights for a sign-in.
func consentItems(ar fosite.AuthorizeRequester) []string {
	items := slices.Clone(ar.GetRequestedScopes())
	if ar.GetRequestedScopes().Has(oauth.ScopeOpenID) {
		items = append(items, consentRights)
	}
	return items
}

type consentView struct {
	ClientName string
	Email      string
	AccountID  string
	Scopes     []string
	Ticket     string
}

func (s *Server) consentPage(c *gin.Context, client fosite.Client, m account.Member, scopes []string, ticket string) {
	name := client.GetID()
	if sc, ok := client.(*sqlstore.Client); ok && sc.Name != "" {
		name = sc.Name
	}
	s.render(c, http.StatusOK, "consent", "consent_title", consentView{
		ClientName: name, Email: m.Email, AccountID: m.AccountID, Scopes: scopes, Ticket: ticket,
	})
}

// consentSubmit records the person's answer and resumes the request; a
// refusal goes back to the client as access_denied.
func (s *Server) consentSubmit(c *gin.Context) error {
	t, err := s.openTicket(c.PostForm("ticket"))
	if err != nil {
		return ticketError(err)
	}
	r := ticketRequest(c.Request, t)
	ar, err := s.OAuth.OAuth2.NewAuthorizeRequest(r.Context(), r)
	if err != nil {
		s.authorizeError(c, ar, err)
		return nil
	}
	sess, ok, err := s.browserSession(c)
	if err != nil {
		return err
	}
	if !ok || sess.MemberID == "" {
		return unauthorized("session_expired", "error_session_expired")
	}
	if c.PostForm("decision") != "allow" {
		s.authorizeError(c, ar, fosite.ErrAccessDenied.WithHint("The person refused to allow this application."))
		return nil
	}
	if err := s.OAuth.Store.SaveConsent(c.Request.Context(), sess.MemberID, ar.GetClient().GetID(), consentItems(ar)); err != nil {
		s.authorizeError(c, ar, fosite.ErrServerError.WithWrap(err))
		return nil
	}
	s.authorizeRequest(c, r, &t)
	return nil
}

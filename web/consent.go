package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

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
func (s *Server) consentSubmit(c *gin.Context) {
	t, err := s.openTicket(c.PostForm("ticket"))
	if err != nil {
		s.errorPage(c, http.StatusBadRequest, "error_ticket")
		return
	}
	r := ticketRequest(c.Request, t)
	ar, err := s.OAuth.OAuth2.NewAuthorizeRequest(r.Context(), r)
	if err != nil {
		s.authorizeError(c, ar, err)
		return
	}
	sess, ok := s.browserSession(c)
	if !ok || sess.MemberID == "" {
		s.errorPage(c, http.StatusUnauthorized, "error_session_expired")
		return
	}
	if c.PostForm("decision") != "allow" {
		s.authorizeError(c, ar, fosite.ErrAccessDenied.WithHint("The person refused to allow this application."))
		return
	}
	if err := s.OAuth.Store.SaveConsent(c.Request.Context(), sess.MemberID, ar.GetClient().GetID(), ar.GetRequestedScopes()); err != nil {
		s.authorizeError(c, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	s.authorizeRequest(c, r, &t)
}

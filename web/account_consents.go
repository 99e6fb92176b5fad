package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/db"
)

// mountConsents mounts the withdrawal of a consent from the account page.
func (s *Server) mountConsents(r gin.IRoutes) {
	r.POST("/account/consents/revoke", s.page(s.consentRevoke))
}

// consentRevoke withdraws what the person allowed the form's client and
// ends that client's tokens for them; the client hears of it by
// back-channel logout.
func (s *Server) consentRevoke(c *gin.Context) error {
	id, err := s.signedInMember(c)
	if id == "" || err != nil {
		return err
	}
	clientID := strings.TrimSpace(c.PostForm("client_id"))
	err = s.Events.Withdrawn(c.Request.Context(), id, clientID, func(ctx context.Context) error {
		return s.OAuth.Store.RevokeConsent(ctx, id, clientID)
	})
	if errors.Is(err, db.ErrNotFound) {
		return notFound("consents_not_found").wrap(err)
	} else if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/account?done=consents_done_revoked#consents")
	return nil
}

package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/members"
)

// invitationEditView is the page that changes a pending invitation's
// rights before it is accepted.
type invitationEditView struct {
	Invitation members.Invitation
	Groups     []rightGroup
	Narrowed   string
	Error      string
}

// pendingInvitation returns the actor's pending invitation of the path;
// one that is unknown, accepted, revoked or expired is not found.
func (s *Server) pendingInvitation(c *gin.Context) (members.Invitation, error) {
	a := actorOf(c)
	inv, err := s.Members.Invitation(c.Request.Context(), a, a.AccountID, c.Param("id"))
	if err != nil {
		return members.Invitation{}, err
	}
	if inv.Status != members.InvitationPending {
		return members.Invitation{}, notFound("api_not_found")
	}
	return inv, nil
}

// invitationEditPage shows the rights of a pending invitation as the
// invitation form does.
func (s *Server) invitationEditPage(c *gin.Context) error {
	inv, err := s.pendingInvitation(c)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "invitation_edit", "invitation_edit_title",
		invitationEditView{Invitation: inv, Groups: s.rightGroups(langOf(c), actorOf(c), inv.Grants)})
	return nil
}

// invitationEditSubmit replaces the rights of a pending invitation.
func (s *Server) invitationEditSubmit(c *gin.Context) error {
	a := actorOf(c)
	inv, err := s.pendingInvitation(c)
	if err != nil {
		return err
	}
	grants := formGrants(c, inv.Grants)
	if r := formOnlyEmpty(c); r != "" {
		err = badRequest("resource_missing", "console_only_empty").with("Right", r)
	} else if len(grants) == 0 {
		err = badRequest("no_rights", "invitation_edit_no_rights")
	} else {
		err = s.Members.SetInvitationGrants(c.Request.Context(), a, a.AccountID, inv.ID, grants)
	}
	if err != nil {
		e := s.classify(c, err)
		if e.Status >= http.StatusInternalServerError || errors.Is(err, members.ErrLinkInvalid) {
			return e
		}
		s.render(c, e.Status, "invitation_edit", "invitation_edit_title", invitationEditView{
			Invitation: inv, Groups: s.rightGroups(langOf(c), a, grants), Narrowed: c.PostForm("narrowed"), Error: s.formMessage(c, e),
		})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/console/members?done=console_done_invitation_rights")
	return nil
}

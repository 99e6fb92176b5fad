package e2e_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestConsoleRoleTemplate: the owner applies a role template when
// inviting; its rights join the ticked ones.
func TestConsoleRoleTemplate(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	b := s.NewBrowser(t)
	p := b.Get("/login")
	b.Submit(p, "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
	p = b.Get("/console/members")
	if !strings.Contains(p.Body, `value="server-technician"`) {
		t.Fatal("the invite form offers no role template")
	}
	p = b.SubmitAction(p, "/console/invitations", url.Values{"email": {"tpl@example.cm"}, "rights": {"domain:read"}, "template": {"server-technician"}})
	if p.Status != 200 {
		t.Fatalf("invite with template: %d", p.Status)
	}
	invs, err := s.Members.Invitations(context.Background(), members.Operator(), w.AccountID)
	if err != nil || len(invs) != 1 {
		t.Fatalf("invitations: %v %v", invs, err)
	}
	if got := sorted(invs[0].Rights()); !slices.Equal(got, []string{"domain:read", "server:operate", "server:read"}) {
		t.Fatalf("rights = %v", got)
	}
	if p := b.SubmitAction(b.Get("/console/members"), "/console/invitations", url.Values{"email": {"tpl2@example.cm"}, "template": {"no-such-template"}}); p.Status != 400 {
		t.Fatalf("unknown template: %d, want 400", p.Status)
	}
}

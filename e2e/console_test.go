package e2e_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/members"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/sesametest"
)

// TestConsoleDeleteAsksFirst: without JavaScript, deleting a login account
// from the console goes through a confirmation page.
func TestConsoleDeleteAsksFirst(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	m := addLoginAccount(t, s, w.AccountID, "gone@example.cm", "Bientot#Parti42", "domain:read")
	b := s.NewBrowser(t)
	b.Submit(b.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
	page := b.Get("/console/members/" + m.ID)
	confirm := b.SubmitAction(page, "/console/members/"+m.ID+"/delete", nil)
	if confirm.Status != 200 || !strings.Contains(confirm.Body, "gone@example.cm") || !strings.Contains(confirm.Body, `name="confirmed"`) {
		t.Fatalf("no confirmation page: %d", confirm.Status)
	}
	if _, err := s.Accounts.Member(context.Background(), m.ID); err != nil {
		t.Fatalf("deleted before confirmation: %v", err)
	}
	done := b.SubmitAction(confirm, "/console/members/"+m.ID+"/delete", nil)
	if done.URL.Path != "/console/members" {
		t.Fatalf("after confirmation: %s (%d)", done.URL, done.Status)
	}
	if _, err := s.Accounts.Member(context.Background(), m.ID); !errors.Is(err, account.ErrNotFound) {
		t.Fatalf("member after confirmed deletion: %v", err)
	}
}

// TestConsoleInvitationEditPendingOnly: the page that changes an
// invitation's rights opens on a pending invitation of the owner's
// account only.
func TestConsoleInvitationEditPendingOnly(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	w := seed(t, s)
	ctx := context.Background()
	other, _, err := s.Accounts.CreateAccount(ctx, "Other", "boss@other.cm", "Boss", ownerPassword)
	if err != nil {
		t.Fatal(err)
	}
	invite := func(accountID, email string) members.Invitation {
		t.Helper()
		inv, err := s.Members.Invite(ctx, members.Operator(), members.InviteRequest{AccountID: accountID, Email: email, Grants: []rbac.Grant{{Right: "domain:read"}}})
		if err != nil {
			t.Fatal(err)
		}
		return inv
	}
	pending := invite(w.AccountID, "pending@example.cm")
	revoked := invite(w.AccountID, "revoked@example.cm")
	if err := s.Members.Revoke(ctx, members.Operator(), w.AccountID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	elsewhere := invite(other.ID, "elsewhere@example.cm")

	b := s.NewBrowser(t)
	b.Submit(b.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
	if p := b.Get("/console/invitations/" + pending.ID); p.Status != 200 || !strings.Contains(p.Body, "pending@example.cm") {
		t.Fatalf("pending invitation: %d", p.Status)
	}
	for name, id := range map[string]string{"revoked": revoked.ID, "other account": elsewhere.ID, "unknown": "no-such-invitation"} {
		if p := b.Get("/console/invitations/" + id); p.Status != 404 {
			t.Errorf("%s invitation: %d, want 404", name, p.Status)
		}
	}
}

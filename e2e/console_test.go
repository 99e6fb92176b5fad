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

// TestConsoleBulkDisableAllOrNothing: disabling several login accounts at
// once is one decision: when one of them is refused, none is disabled.
func TestConsoleBulkDisableAllOrNothing(t *testing.T) {
	sesametest.Each(t, testConsoleBulkDisableAllOrNothing)
}

func testConsoleBulkDisableAllOrNothing(t *testing.T, s *sesametest.Instance) {
	w := seed(t, s)
	ctx := context.Background()
	first := addLoginAccount(t, s, w.AccountID, "first@example.cm", "Premier#Compte42", "domain:read")
	second := addLoginAccount(t, s, w.AccountID, "second@example.cm", "Second#Compte42", "domain:read")
	b := s.NewBrowser(t)
	b.Submit(b.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
	list := b.Get("/console/members")

	// The owner's own record comes last: refused after the two others.
	p := b.SubmitAction(list, "/console/members-bulk/disable", url.Values{"ids": {first.ID, second.ID, w.OwnerID}})
	if p.Status != 403 {
		t.Fatalf("bulk disable with the owner: %d %s, want 403", p.Status, p.URL)
	}
	for _, m := range []account.Member{first, second} {
		got, err := s.Accounts.Member(ctx, m.ID)
		if err != nil || got.Status != account.StatusActive {
			t.Fatalf("%s after a refused bulk disable: %q (%v), want active", m.Email, got.Status, err)
		}
	}

	// Without the refusal, both are disabled.
	p = b.SubmitAction(list, "/console/members-bulk/disable", url.Values{"ids": {first.ID, second.ID}})
	if p.URL.Path != "/console/members" || p.Status != 200 {
		t.Fatalf("bulk disable: %d %s", p.Status, p.URL)
	}
	for _, m := range []account.Member{first, second} {
		got, err := s.Accounts.Member(ctx, m.ID)
		if err != nil || got.Status != account.StatusDisabled {
			t.Fatalf("%s after bulk disable: %q (%v), want disabled", m.Email, got.Status, err)
		}
	}
}

package e2e_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/account"
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

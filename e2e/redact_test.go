package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestLogsHoldNoLinkTokens: the invitation and password reset links carry
// their token in the path; however the path is requested (as sent, with a
// trailing segment, in another case, refused by CSRF), no log line holds
// the token.
func TestLogsHoldNoLinkTokens(t *testing.T) {
	logs := &syncBuffer{}
	s := sesametest.Start(t, sesametest.Options{LogTo: logs})
	w := seed(t, s)
	owner := s.NewBrowser(t)
	owner.Submit(owner.Get("/login"), "password", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
	p := owner.SubmitAction(owner.Get("/console/members"), "/console/invitations", url.Values{"email": {"invitee@example.cm"}, "rights": {"domain:read"}})
	if p.Status != http.StatusOK {
		t.Fatalf("invite: %d", p.Status)
	}
	invitation := invitationLink(t, w, "invitee@example.cm", w.AccountID)
	b := s.NewBrowser(t)
	b.Submit(b.Get("/password-reset"), "email", url.Values{"email": {ownerEmail}})
	reset := resetLink.FindString(s.Mail.WaitFor(t, ownerEmail, 10*time.Second).Text)
	if reset == "" {
		t.Fatal("no reset link in the email")
	}

	for _, link := range []string{invitation, reset} {
		u, _ := url.Parse(link)
		token := u.Path[strings.LastIndex(u.Path, "/")+1:]
		for _, path := range []string{u.Path, u.Path + "/more", strings.ToUpper(u.Path[:2]) + u.Path[2:], "/" + u.Path} {
			send(t, nil, http.MethodGet, s.URL+path, "", nil, nil)
		}
		send(t, nil, http.MethodPost, s.URL+u.Path, "application/x-www-form-urlencoded", strings.NewReader("password=x"), nil)
		if strings.Contains(logs.String(), token) {
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, token) {
					t.Errorf("a log line holds a link token: %s", l)
				}
			}
		}
		if !strings.Contains(logs.String(), strings.Replace(u.Path, token, "REDACTED", 1)) {
			t.Fatalf("no request line for %s: the test would prove nothing", strings.Replace(u.Path, token, "…", 1))
		}
	}
}

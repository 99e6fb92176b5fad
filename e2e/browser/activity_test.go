package browser_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/members"
)

// TestActivityLog: the owner reads the log as sentences with local
// times, filters it by person and action, pages through it and exports
// it as CSV.
func TestActivityLog(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		ctx := context.Background()
		trail := audit.New(w.DB)
		at := time.Now().Add(-time.Hour)
		for i := range 60 { // more than a page
			if err := trail.Record(ctx, audit.Event{AccountID: w.AccountID, ActorEmail: "tech@example.cm", Action: audit.PasswordChanged, CreatedAt: at.Add(time.Duration(i) * time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := trail.Record(ctx, audit.Event{AccountID: w.AccountID, ActorEmail: members.OperatorEmail, Action: audit.InvitationResent, Target: "binta@example.cm", CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		w.signInOwner(tb)
		tb.open(w.URL + "/console/members")
		tb.fill("#invite-email", "technicien@example.cm")
		tb.do(clickOnly("input[name=rights][value='server:read']"))
		tb.click("form[action='/console/invitations'] button[type=submit]")

		tb.open(w.URL + "/console/audit")
		invited := map[string]string{"fr": ownerEmail + " a invité technicien@example.cm avec les droits : ", "en": ownerEmail + " invited technicien@example.cm with the rights: "}[tb.lang]
		if got := tb.text(".activity tbody"); !strings.Contains(got, invited) {
			t.Fatalf("no sentence %q in the log:\n%s", invited, got)
		}
		if got := tb.text(".activity tbody tr:first-child time"); strings.Contains(got, "UTC") || got == "" {
			t.Fatalf("time %q", got)
		}
		tb.snap("activity")
		if tb.text("a[href^='/console/audit?before=']") == "" {
			t.Fatal("no link to older activity")
		}
		tb.click("a[href^='/console/audit?before=']")
		tb.snap("activity-older")

		tb.open(w.URL + "/console/audit?action=" + audit.InvitationResent)
		rows := eval[int](tb, `document.querySelectorAll(".activity tbody tr").length`)
		operator := map[string]string{"fr": "l'exploitation de la plateforme", "en": "the platform operator"}[tb.lang]
		if got := tb.text(".activity tbody"); rows != 1 || !strings.Contains(got, operator) {
			t.Fatalf("filtered by action: %d rows:\n%s", rows, got)
		}
		tb.open(w.URL + "/console/audit?who=tech%40example.cm")
		if rows := eval[int](tb, `document.querySelectorAll(".activity tbody tr").length`); rows != 50 {
			t.Fatalf("filtered by person: %d rows, want a page of 50", rows)
		}
		csv := tb.fetch(w.URL + "/console/audit.csv?who=tech%40example.cm")
		if lines := strings.Count(strings.TrimSpace(csv), "\n"); lines != 60 {
			t.Fatalf("CSV export: %d lines after the head, want 60:\n%s", lines, clip(csv, 300))
		}
	})
}

// fetch GETs rawURL with the tab's cookies (the pages' CSP lets no script
// fetch anything) and returns the body.
func (tb *tab) fetch(rawURL string) string {
	tb.t.Helper()
	var cookies []*network.Cookie
	tb.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{rawURL}})
		if err == nil {
			cookies = res.Cookies
		}
		return err
	}))
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		tb.t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.t.Fatalf("GET %s: %d %v", rawURL, resp.StatusCode, err)
	}
	return string(body)
}

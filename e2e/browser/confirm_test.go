package browser_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestDeleteAsksFirst checks the confirmation sesame.js adds to deleting a
// login account: dismissing it keeps the account, accepting it deletes.
func TestDeleteAsksFirst(t *testing.T) {
	w := start(t)
	bob := w.addLoginAccount(t, "bob@example.cm", "domain:read")
	b := startBrowser(t, w.URL)
	owner := b.newTab("owner", "en")
	w.signInOwner(owner)
	owner.open(w.URL + "/console/members/" + bob.ID)

	answers := make(chan bool, 2)
	dialogs := chromedp.Events(owner.ctx, page.JavascriptDialogOpening)
	seen := make(chan string, 2)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			seen <- ev.Message
			ctx, cancel := context.WithTimeout(owner.ctx, actionTimeout)
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: <-answers})
			cancel()
		}
	}()

	answers <- false
	owner.do(clickOnly("form[action$='/delete'] button"))
	if msg := <-seen; !strings.Contains(msg, "Delete this login account") {
		t.Fatalf("confirmation text %q", msg)
	}
	owner.checkPage()
	if p := owner.url().Path; p != "/console/members/"+bob.ID {
		t.Fatalf("dismissing the confirmation still left the page: %s", p)
	}

	answers <- true
	owner.click("form[action$='/delete'] button")
	<-seen
	if got := owner.text("[role=status]"); !strings.Contains(got, "deleted") {
		t.Fatalf("after confirming the deletion: %q", got)
	}
	if strings.Contains(owner.text("main table"), bob.Email) {
		t.Fatal("the deleted login account is still listed")
	}
}

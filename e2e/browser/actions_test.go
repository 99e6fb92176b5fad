package browser_test

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// eval evaluates a JavaScript expression and decodes its value into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	var v T
	tb.call(func(ctx context.Context) error {
		var err error
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](expr))
		return err
	})
	return v
}

// open loads rawURL and checks the page; it returns the HTTP status.
func (tb *tab) open(rawURL string) int64 {
	tb.t.Helper()
	st := tb.navigate(rawURL)
	tb.checkPage()
	return st
}

// navigate loads rawURL without checking the page.
func (tb *tab) navigate(rawURL string) int64 {
	tb.t.Helper()
	var resp *network.Response
	tb.call(func(ctx context.Context) error {
		var err error
		resp, err = chromedp.Run(ctx, chromedp.NavigateResponse(rawURL))
		return err
	})
	if resp == nil {
		return 0
	}
	return resp.Status
}

// click clicks the element sel, waits for the page it loads and checks
// it; it returns the HTTP status of the page (after redirects).
func (tb *tab) click(sel string) int64 {
	tb.t.Helper()
	var resp *network.Response
	tb.call(func(ctx context.Context) error {
		var err error
		resp, err = chromedp.RunResponse(ctx, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
		return err
	})
	tb.checkPage()
	if resp == nil {
		return 0
	}
	return resp.Status
}

// fill replaces the value of the field sel with v: the field is focused
// and emptied, then v is inserted as typed text (one input event, as from
// a keyboard's autocompletion), so the page's input listeners run.
func (tb *tab) fill(sel, v string) {
	tb.t.Helper()
	// chromedp.Clear only resets the value attribute, not what was typed.
	clear := chromedp.Evaluate[chromedp.Void](`document.querySelector(` + jsString(sel) + `).value = ""`)
	insert := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: v})
		return err
	})
	tb.do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Focus(chromedp.CSS(sel)), clear, insert)
}

// text returns the visible text of the first element matching sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	var s string
	tb.call(func(ctx context.Context) error {
		var err error
		s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		return err
	})
	return strings.TrimSpace(s)
}

// value returns the value of the field sel.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	var s string
	tb.call(func(ctx context.Context) error {
		var err error
		s, err = chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
		return err
	})
	return s
}

// url returns the URL of the current page.
func (tb *tab) url() *url.URL {
	tb.t.Helper()
	u, err := url.Parse(tb.location())
	if err != nil {
		tb.t.Fatal(err)
	}
	return u
}

// phone turns the tab into a 360×740 phone screen (meta viewport honoured).
func (tb *tab) phone() {
	tb.t.Helper()
	tb.do(chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	tb.isPhone = true
}

// withoutJavaScript turns script execution off in the tab.
func (tb *tab) withoutJavaScript() {
	tb.t.Helper()
	tb.call(func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
}

// clickOnly clicks sel when it is visible, without waiting for a page.
func clickOnly(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// withRules makes ruleIs(rule, class) available to expr: whether the
// password checklist's item for rule has class ("ok", "failed").
func withRules(expr string) string {
	return `(() => {
  const ruleIs = (r, c) => { const li = document.querySelector('#password-rules [data-rule="' + r + '"]'); return !!li && li.classList.contains(c); };
  return (` + expr + `);
})()`
}

// waitJS waits until expr (which may use ruleIs) is true in the page.
func (tb *tab) waitJS(expr string) {
	tb.t.Helper()
	tb.call(func(ctx context.Context) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](withRules(expr), chromedp.WithPollingTimeout(5*time.Second)))
		return err
	})
}

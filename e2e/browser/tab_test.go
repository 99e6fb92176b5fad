package browser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// actionTimeout bounds one step (a navigation, a click, a wait), so that a
// missing element fails the test quickly instead of hanging it.
const actionTimeout = 20 * time.Second

// cspListener runs in every document before its own scripts (DevTools
// scripts are not subject to the page's CSP) and turns each violation
// event into a console error, which the tab records as a problem.
const cspListener = `document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    " in " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
}, true);`

// document is the answer to a top-level navigation.
type document struct {
	URL    string
	Status int64
	Header map[string]string // lower-case names
}

// tab is one person's window: a browser context of its own (cookies
// apart) with one tab, in a language. It records, in order, the console
// messages, exceptions, log entries and document responses of the tab.
type tab struct {
	t      *testing.T
	sesame string
	name   string
	lang   string
	ctx    context.Context

	isPhone bool

	mu       sync.Mutex
	changed  chan struct{}
	problems []string
	markers  map[string]bool
	docs     []document
	checked  int // docs already checked
}

// newTab opens a tab in a fresh browser context asking for pages in lang
// ("fr" or "en") through Accept-Language.
func (b *browser) newTab(name, lang string) *tab {
	b.t.Helper()
	tb := &tab{t: b.t, sesame: b.sesame, name: name, lang: lang, changed: make(chan struct{}, 1), markers: map[string]bool{}}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(tb.listen))
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("%s: open tab: %v", name, err)
	}
	tb.ctx = ctx
	accept := "fr-FR,fr;q=0.9"
	if lang == "en" {
		accept = "en-GB,en;q=0.9"
	}
	tb.call(func(ctx context.Context) error {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": accept}})
		return err
	})
	return tb
}

// listen runs in the tab's event loop, in the order Chromium sends the
// events: it must return fast and run no command.
func (tb *tab) listen(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		text := consoleText(ev.Args)
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeDebug:
			if strings.HasPrefix(text, "sesame-settle-") {
				tb.markers[text] = true
			}
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeWarning, runtime.ConsoleAPICalledTypeAssert:
			tb.problems = append(tb.problems, "console."+string(ev.Type)+": "+text)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		tb.problems = append(tb.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
	case *log.EventEntryAdded:
		e := ev.Entry
		// A 4xx answer is logged by the network source ("Failed to load
		// resource"): the sign-in errors are 401 on purpose.
		if e.Source != log.EntrySourceNetwork && (e.Level == log.EntryLevelError || e.Level == log.EntryLevelWarning) {
			tb.problems = append(tb.problems, fmt.Sprintf("log %s/%s: %s (%s)", e.Source, e.Level, e.Text, e.URL))
		}
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument {
			h := map[string]string{}
			for k, v := range ev.Response.Headers {
				h[strings.ToLower(k)] = fmt.Sprint(v)
			}
			tb.docs = append(tb.docs, document{URL: ev.Response.URL, Status: ev.Response.Status, Header: h})
		}
	default:
		return
	}
	select {
	case tb.changed <- struct{}{}:
	default:
	}
}

func consoleText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		if len(a.Value) > 0 && json.Unmarshal(a.Value, &s) == nil {
			parts = append(parts, s)
		} else if a.Description != "" {
			parts = append(parts, a.Description)
		} else {
			parts = append(parts, string(a.Value))
		}
	}
	return strings.Join(parts, " ")
}

// call runs f with the tab's context bounded by actionTimeout.
func (tb *tab) call(f func(ctx context.Context) error) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		tb.t.Fatalf("%s: %v (at %s)", tb.name, err, tb.location())
	}
}

// do runs actions in order.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	tb.call(func(ctx context.Context) error { return chromedp.Do(ctx, actions...) })
}

func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return loc
}

// settle waits until the tab has received every event sent before now: it
// logs a marker from the page and waits for it to come back in order.
// It works with script execution disabled too (DevTools evaluation is not
// a page script).
func (tb *tab) settle() {
	tb.t.Helper()
	marker := fmt.Sprintf("sesame-settle-%d", time.Now().UnixNano())
	tb.do(chromedp.Evaluate[chromedp.Void](`console.debug(` + jsString(marker) + `)`))
	deadline := time.NewTimer(actionTimeout)
	defer deadline.Stop()
	for {
		tb.mu.Lock()
		ok := tb.markers[marker]
		delete(tb.markers, marker)
		tb.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-tb.changed:
		case <-deadline.C:
			tb.t.Fatalf("%s: the tab's events did not settle", tb.name)
		}
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

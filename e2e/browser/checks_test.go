package browser_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
)

// pageAudit runs in a page of Sésame and lists what makes it less
// accessible or breaks the CSP: unlabelled fields, unnamed buttons,
// duplicate ids, aria-describedby pointing nowhere, inline scripts and
// styles, a missing or wrong lang.
const pageAudit = `(() => {
  const bad = [];
  const short = (el) => el.outerHTML.slice(0, 140);
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) bad.push('field without a label: ' + short(el));
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (!(el.textContent.trim() || el.getAttribute('aria-label'))) bad.push('control without a name: ' + short(el));
  }
  const ids = {};
  for (const el of document.querySelectorAll('[id]')) {
    if (ids[el.id]) bad.push('duplicate id: ' + el.id);
    ids[el.id] = true;
  }
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
      if (id && !document.getElementById(id)) bad.push('aria-describedby to a missing id ' + id + ': ' + short(el));
    }
  }
  for (const el of document.querySelectorAll('script:not([src]), style, [style]')) bad.push('inline script or style: ' + short(el));
  for (const el of document.querySelectorAll('[onclick], [onload], [onsubmit], [onchange], [oninput]')) bad.push('inline handler: ' + short(el));
  for (const f of document.forms) {
    if (f.method.toLowerCase() === 'post' && !f.querySelector('input[type=hidden][name="csrf_token"]')) bad.push('POST form without CSRF field: ' + f.getAttribute('action'));
  }
  if (!document.querySelector('main')) bad.push('no <main> landmark');
  if (!document.querySelector('h1')) bad.push('no <h1>');
  return {lang: document.documentElement.lang, problems: bad};
})()`

type auditResult struct {
	Lang     string   `json:"lang"`
	Problems []string `json:"problems"`
}

// checkPage fails the test for every problem of the page just loaded
// (see pageProblems).
func (tb *tab) checkPage() {
	tb.t.Helper()
	for _, p := range tb.pageProblems() {
		tb.t.Errorf("%s: %s", tb.name, p)
	}
}

// pageProblems settles the tab and returns the problems seen since the
// last call: console errors, exceptions and CSP violations on any page;
// on Sésame's pages also missing security headers, the audit's findings,
// a language other than the tab's and words of the other language in the
// rendered text (see languageProblems).
func (tb *tab) pageProblems() []string {
	tb.t.Helper()
	tb.settle()
	tb.mu.Lock()
	seen := tb.problems
	tb.problems = nil
	docs := tb.docs[tb.checked:]
	tb.checked = len(tb.docs)
	tb.mu.Unlock()
	loc := tb.location()
	var problems []string
	for _, p := range seen {
		problems = append(problems, p+" (page "+loc+")")
	}
	for _, d := range docs {
		if strings.HasPrefix(d.URL, tb.sesame+"/") {
			for _, p := range headerProblems(d) {
				problems = append(problems, d.URL+": "+p)
			}
		}
	}
	if !strings.HasPrefix(loc, tb.sesame+"/") {
		return problems
	}
	a := eval[auditResult](tb, pageAudit)
	for _, p := range a.Problems {
		problems = append(problems, loc+": "+p)
	}
	if a.Lang != tb.lang {
		problems = append(problems, fmt.Sprintf("%s: page language %q, want %q", loc, a.Lang, tb.lang))
	}
	for _, p := range languageProblems(a.Lang, eval[string](tb, pageWords)) {
		problems = append(problems, loc+": "+p)
	}
	return problems
}

// headerProblems checks the security headers of a page of Sésame (served
// over http in tests: no HSTS there).
func headerProblems(d document) []string {
	var bad []string
	csp := d.Header["content-security-policy"]
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			bad = append(bad, "CSP lacks "+want+": "+csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		bad = append(bad, "CSP allows inline code: "+csp)
	}
	if d.Header["x-content-type-options"] != "nosniff" {
		bad = append(bad, "X-Content-Type-Options is "+d.Header["x-content-type-options"])
	}
	if d.Header["referrer-policy"] == "" {
		bad = append(bad, "no Referrer-Policy")
	}
	if hsts := d.Header["strict-transport-security"]; hsts != "" && strings.HasPrefix(d.URL, "http:") {
		bad = append(bad, "HSTS sent over plain http: "+hsts)
	}
	return bad
}

// screenshotDir is screenshots/ at the repository root (ignored by git).
var screenshotDir = filepath.Join("..", "..", "screenshots")

// shot saves a full-page PNG of the tab as screenshots/<name>.<lang>.png.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	var png []byte
	tb.call(func(ctx context.Context) error {
		var err error
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		return err
	})
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	file := filepath.Join(screenshotDir, name+"."+tb.lang+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// noHorizontalScroll fails when the page is wider than the screen.
func (tb *tab) noHorizontalScroll() {
	tb.t.Helper()
	w := eval[[]int](tb, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if w[0] > w[1] {
		tb.t.Errorf("%s: %s scrolls sideways: %d px wide on a %d px screen", tb.name, tb.location(), w[0], w[1])
	}
}

// snap records the page in view under name: a screenshot, and on a
// phone the check that nothing scrolls sideways.
func (tb *tab) snap(name string) {
	tb.t.Helper()
	if tb.isPhone {
		tb.noHorizontalScroll()
		name = "phone-" + name
	}
	tb.shot(name)
}

// page opens rawURL, expects status and snaps it as name.
func (tb *tab) page(rawURL, name string, status int64) {
	tb.t.Helper()
	if st := tb.open(rawURL); st != status {
		tb.t.Errorf("%s: %s answered %d, want %d", tb.name, name, st, status)
	}
	tb.snap(name)
}

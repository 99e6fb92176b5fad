package browser_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser: SESAME_CHROMIUM, else chromium on PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv("SESAME_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	return exec.LookPath("chromium")
}

// browser is the Chromium process of one test; each person of the test
// gets a tab in a browser context of its own (separate cookies).
type browser struct {
	t      *testing.T
	ctx    context.Context
	sesame string // Sésame's origin: its pages get the full checks
}

// startBrowser starts a headless Chromium for the test, whose Sésame
// answers at sesame, skipping (or
// failing, with SESAME_REQUIRE_BROWSER=1) when none is installed.
func startBrowser(t *testing.T, sesame string) *browser {
	if testing.Short() {
		t.Skip("skipped with -short: drives a headless Chromium")
	}
	t.Helper()
	path, err := chromiumPath()
	if err != nil {
		if os.Getenv("SESAME_REQUIRE_BROWSER") == "1" {
			t.Fatalf("SESAME_REQUIRE_BROWSER=1 but no Chromium found (set SESAME_CHROMIUM or install Debian's chromium package): %v", err)
		}
		t.Skipf("no Chromium installed (install Debian's chromium package or set SESAME_CHROMIUM): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// The machine may have no internet: keep Chromium from calling home.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return &browser{t: t, ctx: ctx, sesame: strings.TrimSuffix(sesame, "/")}
}

// with returns the browser for test t (a subtest) whose Sésame answers at
// sesame; its tabs end with t.
func (b *browser) with(t *testing.T, sesame string) *browser {
	c := *b
	c.t, c.sesame = t, strings.TrimSuffix(sesame, "/")
	return &c
}

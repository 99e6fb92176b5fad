package web_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

var switchLink = regexp.MustCompile(`<a href="([^"]*)" hreflang=`)

// TestLanguageSwitchStaysLocal: the language link of a page is a path of
// Sésame even when the page answers a path that reads as another site's
// address (the 404 of //evil.test/...), so it is no open redirect.
func TestLanguageSwitchStaysLocal(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	for _, path := range []string{"//evil.test/phish", "///evil.test/phish", `/\evil.test/phish`, "/%2F/evil.test/phish"} {
		t.Run(path, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, s.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.URL.Opaque = path // sent as written
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			m := switchLink.FindSubmatch(raw)
			if m == nil {
				t.Fatalf("status %d, no language link:\n%s", resp.StatusCode, raw)
			}
			href := strings.ReplaceAll(string(m[1]), "&amp;", "&")
			if !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") || strings.HasPrefix(href, `/\`) {
				t.Fatalf("language link %q leaves Sésame", href)
			}
		})
	}
}

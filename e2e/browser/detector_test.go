package browser_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
)

// TestDetectorsCatchViolations makes sure the checks every page goes
// through can fail: a page under Sésame's own CSP with an inline script
// and inline styles must be reported, and so must a page without the
// security headers.
func TestDetectorsCatchViolations(t *testing.T) {
	s := sesametest.Start(t, sesametest.Options{})
	resp, err := http.Get(s.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if csp == "" {
		t.Fatal("Sésame's login page has no CSP")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/inline", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html lang="fr"><head><title>t</title><style>p{color:red}</style></head>
<body><main><h1>t</h1><p style="color:blue">x</p><script>document.title = "ran";</script></main></body></html>`))
	})
	mux.HandleFunc("/bare", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html lang="fr"><head><title>t</title></head><body><main><h1>t</h1>
<form method="post" action="/x"><input name="q"></form></main></body></html>`))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	b := startBrowser(t, ts.URL)
	tb := b.newTab("detector", "fr")
	tb.navigate(ts.URL + "/inline")
	got := strings.Join(tb.pageProblems(), "\n")
	for _, want := range []string{"CSP violation: script-src", "CSP violation: style-src", "inline script or style: <script>", "inline script or style: <p style"} {
		if !strings.Contains(got, want) {
			t.Errorf("inline code: no problem reported containing %q; got:\n%s", want, got)
		}
	}
	if title := tb.text("h1"); title != "t" || eval[string](tb, "document.title") == "ran" {
		t.Error("the inline script ran despite the CSP")
	}

	tb.navigate(ts.URL + "/bare")
	got = strings.Join(tb.pageProblems(), "\n")
	for _, want := range []string{"CSP lacks default-src 'none'", "no Referrer-Policy", "field without a label", "POST form without CSRF field"} {
		if !strings.Contains(got, want) {
			t.Errorf("bare page: no problem reported containing %q; got:\n%s", want, got)
		}
	}
}

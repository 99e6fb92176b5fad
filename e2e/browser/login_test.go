package browser_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestLoginErrors signs in wrongly on both tabs, in French and English:
// the same message each time, announced (role=alert), tied to the fields
// (aria-invalid, aria-describedby), with the typed email kept.
func TestLoginErrors(t *testing.T) {
	w := start(t)
	member := w.addLoginAccount(t, "bob@example.cm", "domain:read")
	b := startBrowser(t, w.URL)
	want := map[string]string{
		"fr": "Adresse e-mail, mot de passe ou identifiant de compte incorrect.",
		"en": "Wrong email address, password or account ID.",
	}
	for _, lang := range []string{"fr", "en"} {
		tb := b.newTab("login-"+lang, lang)
		cases := []struct {
			name, tab, email, password, accountID string
		}{
			{"owner, wrong password", "owner", ownerEmail, "Wrong#Password1", ""},
			{"login account, wrong account ID", "member", member.Email, strongPassword, "id000001"},
			{"login account on the holder's tab", "owner", member.Email, strongPassword, ""},
		}
		for i, c := range cases {
			tb.open(w.URL + "/login?tab=" + c.tab)
			if c.tab == "member" {
				tb.fill("#account_id", c.accountID)
			}
			tb.fill("#email", c.email)
			tb.fill("#password", c.password)
			if st := tb.click("form[action='/login'] button[type=submit]"); st != 401 {
				t.Fatalf("%s %s: status %d, want 401", lang, c.name, st)
			}
			if got := tb.text("#login-error[role=alert]"); got != want[lang] {
				t.Errorf("%s %s: message %q, want %q", lang, c.name, got, want[lang])
			}
			if got := tb.value("#email"); got != c.email {
				t.Errorf("%s %s: email not kept: %q", lang, c.name, got)
			}
			tied := eval[bool](tb, `["email", "password"].every(id => {
				const el = document.getElementById(id);
				return el.getAttribute("aria-invalid") === "true" && el.getAttribute("aria-describedby").split(" ").includes("login-error");
			})`)
			if !tied {
				t.Errorf("%s %s: the fields are not marked invalid and tied to the message", lang, c.name)
			}
			if i == 0 {
				tb.shot("login-error")
			}
			if href := eval[string](tb, `document.querySelector(".lang a").getAttribute("href")`); !strings.HasPrefix(href, "/login?tab="+c.tab) {
				t.Errorf("%s %s: the language switch leads to %q, not back to this tab", lang, c.name, href)
			}
		}
	}
}

// TestLanguageAndFocus checks the language choice (French by default,
// English by Accept-Language, the switch remembered) and that keyboard
// focus is visible, starting with the skip link.
func TestLanguageAndFocus(t *testing.T) {
	w := start(t)
	b := startBrowser(t, w.URL)

	en := b.newTab("english", "en")
	en.open(w.URL + "/login")
	if got := en.text("h1"); got != "Sign in" {
		t.Fatalf("Accept-Language en: title %q", got)
	}

	tb := b.newTab("switch", "fr")
	tb.open(w.URL + "/login")
	if got := tb.text("h1"); got != "Se connecter" {
		t.Fatalf("French by default: title %q", got)
	}
	tb.lang = "en"
	tb.click(".lang a[hreflang=en]")
	if got := tb.text("h1"); got != "Sign in" {
		t.Fatalf("after switching to English: title %q", got)
	}
	tb.open(w.URL + "/login?tab=member")
	if got := tb.text(".tabs [aria-current=page]"); got != "Login account" {
		t.Fatalf("the English choice was not remembered: current tab %q", got)
	}
	tb.lang = "fr"
	tb.click(".lang a[hreflang=fr]")
	if got := tb.text(".tabs [aria-current=page]"); got != "Compte de connexion" {
		t.Fatalf("after switching back to French (the tab must stay): %q", got)
	}

	// Keyboard: the first Tab reaches the skip link, which shows itself
	// with a visible outline; every focusable control gets an outline.
	tb.open(w.URL + "/login")
	// Start the keyboard walk at the top of the page, not at the autofocused field.
	startAtTop := `document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute("tabindex")`
	tb.do(chromedp.Evaluate[chromedp.Void](startAtTop), chromedp.KeyEvent(kb.Tab))
	focus := eval[map[string]any](tb, `(() => {
		const el = document.activeElement, st = getComputedStyle(el), r = el.getBoundingClientRect();
		return {cls: el.className, outline: st.outlineStyle, width: parseFloat(st.outlineWidth), top: r.top};
	})()`)
	if focus["cls"] != "skip" || focus["outline"] == "none" || focus["width"].(float64) < 2 || focus["top"].(float64) < 0 {
		t.Errorf("first Tab: focus %v, want the visible skip link with an outline of 2 px or more", focus)
	}
	tb.shot("focus-skip-link")
	var walked []string
	for i := 0; i < 15; i++ {
		tb.do(chromedp.KeyEvent(kb.Tab))
		f := eval[map[string]any](tb, `(() => { const el = document.activeElement, st = getComputedStyle(el);
			return {tag: el.tagName + (el.id ? "#" + el.id : ""), outline: st.outlineStyle, width: parseFloat(st.outlineWidth)}; })()`)
		if f["tag"] == "BODY" {
			break // past the last control
		}
		walked = append(walked, f["tag"].(string))
		if f["outline"] == "none" || f["width"].(float64) < 2 {
			t.Errorf("Tab %d: %v has no visible focus outline", i+2, f["tag"])
		}
	}
	if !slices.Contains(walked, "BUTTON") {
		t.Errorf("the keyboard walk did not reach the submit button: %v", walked)
	}
	if !strings.HasPrefix(tb.location(), w.URL+"/login") {
		t.Fatalf("tabbing moved away from the page: %s", tb.location())
	}
}

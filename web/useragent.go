package web

import "strings"

// deviceOf names, in a few words, the browser and the system of a
// User-Agent header: ("Firefox", "Windows"), ("Chrome", "Android"). Either
// is "" when not recognised. The order of the tests matters: Edge and
// Opera say "Chrome", Chrome says "Safari", Android says "Linux".
func deviceOf(ua string) (browser, system string) {
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("Edg/"), has("EdgA/"), has("EdgiOS/"):
		browser = "Edge"
	case has("OPR/"), has("Opera"):
		browser = "Opera"
	case has("SamsungBrowser/"):
		browser = "Samsung Internet"
	case has("Firefox/"), has("FxiOS/"):
		browser = "Firefox"
	case has("Chrome/"), has("Chromium/"), has("CriOS/"):
		browser = "Chrome"
	case has("Safari/"):
		browser = "Safari"
	}
	switch {
	case has("Android"):
		system = "Android"
	case has("iPhone"), has("iPad"), has("iPod"):
		system = "iOS"
	case has("Windows"):
		system = "Windows"
	case has("Mac OS X"), has("Macintosh"):
		system = "macOS"
	case has("CrOS"):
		system = "ChromeOS"
	case has("Linux"):
		system = "Linux"
	}
	return browser, system
}

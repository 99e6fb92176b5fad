// Package browser_test walks Sésame's pages in a real headless Chromium,
// driven with chromedp: the seed journey from the owner's console to the
// invitee's first sign-in at a demo product, the sign-in errors, a phone
// screen and every page in French and English.
//
// The browser is Debian's chromium package, found through SESAME_CHROMIUM
// or "chromium" on PATH; it is never downloaded. Without one the tests
// skip, unless SESAME_REQUIRE_BROWSER=1 (CI), where they fail.
//
// Every page a tab loads is checked as it loads: no console error, no
// uncaught exception, no Content Security Policy violation, the security
// headers present, every form field labelled, ids unique. Screenshots of
// each page go to screenshots/ at the repository root for review.
package browser_test

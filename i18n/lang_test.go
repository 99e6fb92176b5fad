package i18n

import "testing"

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		ch   Choice
		want Lang
	}{
		{"nothing: French", Choice{}, French},
		{"English browser", Choice{AcceptLanguage: "en-US,en;q=0.9"}, English},
		{"French browser", Choice{AcceptLanguage: "fr-CM,fr;q=0.9,en;q=0.5"}, French},
		{"German then English", Choice{AcceptLanguage: "de-DE,de;q=0.9,en;q=0.5"}, English},
		{"only German: French", Choice{AcceptLanguage: "de"}, French},
		{"broken header: French", Choice{AcceptLanguage: ";;;q=x"}, French},
		{"cookie beats the browser", Choice{Remembered: "fr", AcceptLanguage: "en"}, French},
		{"explicit beats the cookie", Choice{Explicit: "en", Remembered: "fr"}, English},
		{"unknown explicit falls through", Choice{Explicit: "de", Remembered: "en"}, English},
		{"unknown cookie falls through", Choice{Remembered: "xx", AcceptLanguage: "en-GB"}, English},
		{"region ignored", Choice{Explicit: "EN_gb"}, English},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Match(tc.ch); got != tc.want {
				t.Errorf("Match(%+v) = %s, want %s", tc.ch, got, tc.want)
			}
		})
	}
}

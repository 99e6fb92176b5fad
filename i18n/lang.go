package i18n

import (
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language Sésame speaks: "fr" or "en".
type Lang string

// The languages of the catalog. French is Sésame's default.
const (
	French  Lang = "fr"
	English Lang = "en"
)

// Languages lists every language of the catalog, the default first.
var Languages = []Lang{French, English}

// Default is the language of a reader who expressed no preference that
// Sésame can honour.
const Default = French

var matcher = language.NewMatcher([]language.Tag{language.French, language.English})

// Parse returns the language named by s ("fr", "en", "en-GB", "FR_cm"…)
// and whether Sésame speaks it. Only the base language counts.
func Parse(s string) (Lang, bool) {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "-")
	base, _, _ = strings.Cut(base, "_")
	for _, l := range Languages {
		if string(l) == base {
			return l, true
		}
	}
	return Default, false
}

// Choice is what a request says about its reader's language, strongest
// first.
type Choice struct {
	Explicit       string // ?lang= of this request
	Remembered     string // the language cookie, an earlier explicit choice
	AcceptLanguage string // the browser's Accept-Language header
}

// Match decides the reader's language: an explicit switch, then the
// remembered one, then the best match of Accept-Language, then French.
func Match(ch Choice) Lang {
	if l, ok := Parse(ch.Explicit); ok {
		return l
	}
	if l, ok := Parse(ch.Remembered); ok {
		return l
	}
	if ch.AcceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(ch.AcceptLanguage)
		if err == nil && len(tags) > 0 {
			tag, _, conf := matcher.Match(tags...)
			if conf != language.No {
				if l, ok := Parse(tag.String()); ok {
					return l
				}
			}
		}
	}
	return Default
}

// Tag is the BCP 47 tag of l, for go-i18n and for the lang attribute.
func (l Lang) Tag() language.Tag {
	if l == English {
		return language.English
	}
	return language.French
}

// Package templates embeds Sésame's HTML pages (pages/), the stylesheet and
// scripts they load (static/) and the text and HTML of outgoing mail
// (mail/). The packages that render them parse them once, at start.
package templates

import "embed"

// FS holds pages/, static/, mail/ and i18n/ (the message catalog of pages and
// mail, one go-i18n JSON file per language, read by package i18n).
//
//go:embed pages static mail i18n
var FS embed.FS

// Package i18n owns Sésame's words for people: the message catalog of
// every page and mail (templates/i18n/<lang>.json, one file a language,
// go-i18n format with placeholders and plural forms), the one matcher that
// decides a reader's language (explicit choice, remembered choice,
// Accept-Language, French), and the way dates and times are written in
// that language and in the display time zone.
//
// It imports nothing of Sésame but the embedded templates; web and mail
// import it. It must not import gin, net/http handlers or any service
// package: what a request asks for is passed in as plain strings.
package i18n

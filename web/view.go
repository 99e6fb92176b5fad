package web

import (
	"html/template"
	"time"

	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/members"
)

// view is what every page template receives. Templates take their words
// from T and TH ({{.T "key" "Name" value}}; {{$.T …}} inside a range) and
// write times with DateTime, Stamp and StampSeconds, so that both follow
// the reader's language and the display time zone.
type view struct {
	Lang  string
	Page  string // the page's template name, for the tabs of shared headers
	Title string
	CSRF  template.HTML // the hidden CSRF field, for forms
	// Switch is the current page in the other language.
	Switch template.URL
	Data   any
	// Nav is who is signed in, for the header; nil for nobody.
	Nav *navInfo

	catalog *i18n.Catalog
	dates   i18n.Dates
	now     time.Time
}

// T returns the message key in the page's language; args are name/value
// pairs for its placeholders ("Count" also picks the plural form).
func (v view) T(key string, args ...any) string {
	return v.catalog.Text(i18n.Lang(v.Lang), key, args...)
}

// TH is T for a message that holds markup; the arguments are escaped.
func (v view) TH(key string, args ...any) template.HTML {
	return v.catalog.HTML(i18n.Lang(v.Lang), key, args...)
}

// DateTime writes t in full with its zone ("1er mars 2026 à 14:05 (WAT)").
func (v view) DateTime(t time.Time) string { return v.dates.DateTime(t) }

// Stamp writes t briefly, for tables ("1er mars 2026, 14:05").
func (v view) Stamp(t time.Time) string { return v.dates.Stamp(t) }

// StampSeconds is Stamp to the second, for the activity log.
func (v view) StampSeconds(t time.Time) string { return v.dates.StampSeconds(t) }

// Zone names the display time zone now ("WAT").
func (v view) Zone() string { return v.dates.ZoneName(v.now) }

// Person names who acted, given the email the records hold: the
// operator's stand-in is written in the page's language.
func (v view) Person(email string) string {
	if email == members.OperatorEmail {
		return v.T("actor_operator")
	}
	return email
}

// errorSummary is the box at the top of a form's page that lists what was
// refused, each item a link to its field (see partial_error_summary).
type errorSummary struct {
	Title string
	Items []summaryItem
}

type summaryItem struct {
	Field   string // the id of the field to go to
	Message string
}

// Summary builds the error summary from pairs of field id and message,
// skipping empty messages; nil when none is left, and the partial then
// shows nothing.
func (v view) Summary(pairs ...string) *errorSummary {
	var items []summaryItem
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			items = append(items, summaryItem{Field: pairs[i], Message: pairs[i+1]})
		}
	}
	if len(items) == 0 {
		return nil
	}
	return &errorSummary{Title: v.T("error_summary_title"), Items: items}
}

// sessionList is the data of the partial "session_list": the page's view,
// the sessions and where their end buttons post.
type sessionList struct {
	view
	Sessions []ownSession
	Action   string
}

// SessionList is the data of the partial "session_list".
func (v view) SessionList(list []ownSession, action string) sessionList {
	return sessionList{view: v, Sessions: list, Action: action}
}

package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/templates"
)

// Invitation is what the invitation message tells its recipient.
type Invitation struct {
	// Lang is "fr" or "en" (a region such as "en-GB" is ignored); any
	// other value gives French, the default language of Sésame.
	Lang         string
	AccountID    string // to type at sign-in, shown prominently
	AccountName  string // optional
	InviterEmail string
	Link         string // absolute http(s) URL of the single-use set-up page
	ExpiresAt    time.Time
	// Zone is the time zone the expiry is written in (and named); nil
	// means UTC.
	Zone  *time.Location
	Brand Brand
}

// mailTemplates is one message in one language: its subject and plain-text
// body (templates/mail/NAME.LANG.txt, the subject as {{define "subject"}})
// and its HTML body (NAME.LANG.html).
type mailTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// invitationTemplates are parsed once, when the package is initialised:
// they are embedded in the binary, so a broken one is a build defect that
// the tests of this package reveal, and the program refuses to start.
var invitationTemplates = mustParse("invitation")

func mustParse(name string) map[string]mailTemplates {
	m := make(map[string]mailTemplates, len(i18n.Languages))
	for _, l := range i18n.Languages {
		lang := string(l)
		base := "mail/" + name + "." + lang
		src, err := fs.ReadFile(templates.FS, base+".txt")
		if err != nil {
			panic(fmt.Sprintf("mail: template %s.txt: %v", base, err))
		}
		text := texttemplate.Must(texttemplate.New(base + ".txt").Option("missingkey=error").Parse(string(src)))
		if text.Lookup("subject") == nil {
			panic(fmt.Sprintf("mail: template %s.txt defines no subject", base))
		}
		html := htmltemplate.Must(htmltemplate.New("").Option("missingkey=error").ParseFS(templates.FS, base+".html"))
		m[lang] = mailTemplates{text: text, html: html.Lookup(name + "." + lang + ".html")}
	}
	return m
}

// invitationView is what the invitation templates see.
type invitationView struct {
	Invitation
	To      string
	Expires string // ExpiresAt written out in the message's language and Zone
}

// RenderInvitation writes the invitation message to the address to, in
// inv.Lang, as plain text and HTML. Every field but AccountName is
// required and Link must be an absolute http(s) URL; a missing one gives
// an error wrapping ErrInvalid.
func RenderInvitation(inv Invitation, to string) (Message, error) {
	if inv.AccountID == "" || inv.InviterEmail == "" || inv.ExpiresAt.IsZero() {
		return Message{}, fmt.Errorf("%w: invitation needs an account ID, an inviter and an expiry", ErrInvalid)
	}
	u, err := url.Parse(inv.Link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Message{}, fmt.Errorf("%w: invitation link must be an absolute http(s) URL", ErrInvalid)
	}
	lang := language(inv.Lang)
	return render(invitationTemplates[lang], invitationView{Invitation: inv, To: to, Expires: formatTime(inv.ExpiresAt, lang, inv.Zone)}, to)
}

// render executes a message's templates with view.
func render(t mailTemplates, view any, to string) (Message, error) {
	var subject, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subject, "subject", view); err != nil {
		return Message{}, fmt.Errorf("mail: subject: %w", err)
	}
	if err := t.text.Execute(&text, view); err != nil {
		return Message{}, fmt.Errorf("mail: text: %w", err)
	}
	if err := t.html.Execute(&html, view); err != nil {
		return Message{}, fmt.Errorf("mail: HTML: %w", err)
	}
	m := Message{To: to, Subject: oneLine(subject.String()), Text: text.String(), HTML: html.String()}
	if err := m.Validate(); err != nil {
		return Message{}, err
	}
	return m, nil
}

// oneLine joins the lines of s with spaces: a subject is one header line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// formatTime writes t in zone (nil: UTC) the way a reader of lang
// expects: "1er mars 2026 à 14:05 (WAT)" or "1 March 2026 at 14:05 (WAT)".
// The recipient may read elsewhere, so the zone is named.
func formatTime(t time.Time, lang string, zone *time.Location) string {
	return i18n.Dates{Lang: i18n.Lang(lang), Zone: zone}.DateTime(t)
}

// language maps a requested language to one the messages exist in:
// French unless i18n recognises another.
func language(lang string) string {
	l, _ := i18n.Parse(lang)
	return string(l)
}

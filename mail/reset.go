package mail

import (
	"fmt"
	"net/url"
	"time"
)

// PasswordReset is what the message to choose a new password tells.
type PasswordReset struct {
	Lang      string // "fr" (default) or "en"
	AccountID string
	Link      string // absolute http(s) URL of the single-use page
	ExpiresAt time.Time
	Zone      *time.Location // of the expiry as written; nil means UTC
}

var resetTemplates = mustParse("reset")

type resetView struct {
	PasswordReset
	To      string
	Expires string
}

// RenderPasswordReset writes the password-reset message to the address to.
func RenderPasswordReset(r PasswordReset, to string) (Message, error) {
	if r.AccountID == "" || r.ExpiresAt.IsZero() {
		return Message{}, fmt.Errorf("%w: password reset needs an account ID and an expiry", ErrInvalid)
	}
	u, err := url.Parse(r.Link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Message{}, fmt.Errorf("%w: password reset link must be an absolute http(s) URL", ErrInvalid)
	}
	lang := language(r.Lang)
	return render(resetTemplates[lang], resetView{PasswordReset: r, To: to, Expires: formatTime(r.ExpiresAt, lang, r.Zone)}, to)
}

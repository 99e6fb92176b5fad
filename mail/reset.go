package mail

import (
	"fmt"
	"net/url"
	"time"
)

// PasswordReset is what the message to choose a new password tells: one
// link for each account where the address may choose a new password.
type PasswordReset struct {
	Lang      string // "fr" (default) or "en"
	Links     []ResetLink
	ExpiresAt time.Time
	Zone      *time.Location // of the expiry as written; nil means UTC
	Brand     Brand
}

// ResetLink is the single-use link of one account.
type ResetLink struct {
	AccountID   string
	AccountName string // may be empty
	Link        string // absolute http(s) URL of the single-use page
}

var resetTemplates = mustParse("reset")

type resetView struct {
	PasswordReset
	To      string
	Expires string
}

// One reports whether the message has a single link.
func (v resetView) One() bool { return len(v.Links) == 1 }

// RenderPasswordReset writes the password-reset message to the address to.
func RenderPasswordReset(r PasswordReset, to string) (Message, error) {
	if len(r.Links) == 0 || r.ExpiresAt.IsZero() {
		return Message{}, fmt.Errorf("%w: password reset needs a link and an expiry", ErrInvalid)
	}
	for _, l := range r.Links {
		if l.AccountID == "" {
			return Message{}, fmt.Errorf("%w: password reset link without an account ID", ErrInvalid)
		}
		u, err := url.Parse(l.Link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Message{}, fmt.Errorf("%w: password reset link must be an absolute http(s) URL", ErrInvalid)
		}
	}
	lang := language(r.Lang)
	return render(resetTemplates[lang], resetView{PasswordReset: r, To: to, Expires: formatTime(r.ExpiresAt, lang, r.Zone)}, to)
}

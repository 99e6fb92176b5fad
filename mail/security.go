package mail

import (
	"fmt"
	"net/url"
	"time"
)

// The changes a security notice tells of (SecurityNotice.Kind); they are
// account.NoticeKind's values, which mail does not import.
var securityKinds = map[string]bool{
	"password_changed": true, "password_reset": true,
	"factor_added": true, "factor_removed": true, "factors_reset": true,
	"recovery_code_used": true, "recovery_codes_new": true,
}

// SecurityNotice is what a security notice tells its recipient: what
// changed in the security of their access, when, from where, and what to
// do if it was not them. It holds no secret.
type SecurityNotice struct {
	Lang string // "fr" (default) or "en"
	// Kind is one of password_changed, password_reset, factor_added,
	// factor_removed, factors_reset, recovery_code_used,
	// recovery_codes_new.
	Kind string
	// Factor is "totp", "passkey" or "recovery"; Name a passkey's name
	// (may be empty).
	Factor, Name string
	// Remaining counts the recovery codes left (recovery_code_used).
	Remaining int
	// By is the email address of who made the change when it was not the
	// person (factors_reset); ByOperator says the platform's operator made it.
	By         string
	ByOperator bool
	// AccountID is the member's account; empty for a platform
	// administrator. Owner says the member owns it.
	AccountID string
	Owner     bool
	IP        string // may be empty (the command line)
	At        time.Time
	Zone      *time.Location // of At as written; nil means UTC
	// Issuer is Sésame's absolute URL: the message links to the person's
	// password and security pages.
	Issuer string
	Brand  Brand
}

var securityTemplates = mustParse("security")

type securityView struct {
	SecurityNotice
	To          string
	When        string
	Admin       bool
	PasswordURL string
	SecurityURL string
	LoginURL    string
}

// RenderSecurityNotice writes the security notice n to the address to.
// An unknown kind, a missing time or an issuer that is not an absolute
// http(s) URL gives an error wrapping ErrInvalid.
func RenderSecurityNotice(n SecurityNotice, to string) (Message, error) {
	if !securityKinds[n.Kind] || n.At.IsZero() {
		return Message{}, fmt.Errorf("%w: security notice of kind %q needs a known kind and a time", ErrInvalid, n.Kind)
	}
	u, err := url.Parse(n.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Message{}, fmt.Errorf("%w: security notice needs an absolute http(s) issuer", ErrInvalid)
	}
	lang := language(n.Lang)
	v := securityView{SecurityNotice: n, To: to, When: formatTime(n.At, lang, n.Zone), Admin: n.AccountID == "",
		PasswordURL: n.Issuer + "/account/password", SecurityURL: n.Issuer + "/account/security", LoginURL: n.Issuer + "/login"}
	return render(securityTemplates[lang], v, to)
}

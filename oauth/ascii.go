package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/ory/fosite"
	"golang.org/x/text/unicode/norm"
)

// RFC 6749 (§4.1.2.1, §5.2) allows error_description and error_uri only
// the characters %x20-21 / %x23-5B / %x5D-7E: printable ASCII without '"'
// and '\'. fosite's messages and hints are English, but some hints quote
// what the request sent (a scope, a parameter name), and Sésame's own say
// "Sésame". Every OAuth error Sésame writes goes through ASCIIError.

// ASCIIError returns err as an OAuth error whose description holds only
// the characters RFC 6749 allows, with its error code, status and cause
// unchanged. Accented letters lose their accent; a double quote becomes an apostrophe; any
// other character outside the set becomes '?'.
func ASCIIError(err error) *fosite.RFC6749Error {
	var rfc *fosite.RFC6749Error
	if !errors.As(fosite.ErrorToRFC6749Error(err), &rfc) {
		rfc = fosite.ErrServerError
	}
	c := *rfc
	c.DescriptionField = ASCIIText(rfc.GetDescription())
	c.HintField, c.DebugField = "", ""
	return &c
}

// ASCIIText maps s to the characters RFC 6749 allows in error_description.
func ASCIIText(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // an accent, once decomposed
		case r == '"':
			b.WriteByte('\'')
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case AllowedInErrorText(r):
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// AllowedInErrorText reports whether r may appear in error_description or
// error_uri (RFC 6749 §4.1.2.1).
func AllowedInErrorText(r rune) bool {
	return r == 0x20 || r == 0x21 || (r >= 0x23 && r <= 0x5B) || (r >= 0x5D && r <= 0x7E)
}

// asciiErrors is fosite's provider with every error it writes made ASCII.
type asciiErrors struct {
	fosite.OAuth2Provider
}

func (p asciiErrors) WriteAuthorizeError(ctx context.Context, rw http.ResponseWriter, ar fosite.AuthorizeRequester, err error) {
	p.OAuth2Provider.WriteAuthorizeError(ctx, rw, ar, ASCIIError(err))
}

func (p asciiErrors) WriteAccessError(ctx context.Context, rw http.ResponseWriter, ar fosite.AccessRequester, err error) {
	p.OAuth2Provider.WriteAccessError(ctx, rw, ar, ASCIIError(err))
}

func (p asciiErrors) WriteIntrospectionError(ctx context.Context, rw http.ResponseWriter, err error) {
	if err == nil {
		return
	}
	p.OAuth2Provider.WriteIntrospectionError(ctx, rw, ASCIIError(err))
}

func (p asciiErrors) WriteRevocationResponse(ctx context.Context, rw http.ResponseWriter, err error) {
	if err != nil {
		err = ASCIIError(err)
	}
	p.OAuth2Provider.WriteRevocationResponse(ctx, rw, err)
}

package mail

import (
	"fmt"
	"net/url"
)

// Brand is the name and logo messages show, from configuration
// (SESAME_PRODUCT_NAME, SESAME_LOGO_URL). The zero Brand is Sésame's,
// without a logo.
type Brand struct {
	Name    string // e.g. "Acme Connexion"; empty means "Sésame"
	LogoURL string // absolute https URL of an image; empty: no logo
}

// CheckBrand refuses a logo that is not an absolute http(s) URL: mail
// clients load nothing else.
func CheckBrand(b Brand) error {
	if b.LogoURL == "" {
		return nil
	}
	u, err := url.Parse(b.LogoURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: the logo (SESAME_LOGO_URL) must be an absolute http(s) URL", ErrInvalid)
	}
	return nil
}

// ProductName is the name to write: Name, or "Sésame".
func (b Brand) ProductName() string {
	if b.Name == "" {
		return "Sésame"
	}
	return b.Name
}

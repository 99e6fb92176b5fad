package account

import "strings"

// Device is a browser where a person signed in before, as the signed
// device cookie it presents vouches (the caller checks the signature).
// Attempts from it for the same email in the same scope count on a
// counter of its own (ThrottleConfig.MaxPerDevice) instead of the email's,
// so that someone hammering the email from elsewhere cannot lock the
// person out of their usual browser.
type Device struct {
	// Subject is the SignInSubject (or AdminSignInSubject) of the sign-in
	// that issued the cookie; the device counts only for that one.
	Subject string
	// ID is the random id of the cookie, at most 64 bytes.
	ID string
}

// maxDeviceID bounds Device.ID.
const maxDeviceID = 64

// usable returns d, or no device when d is malformed.
func (d Device) usable() Device {
	if d.ID == "" || len(d.ID) > maxDeviceID || len(d.Subject) != 64 {
		return Device{}
	}
	return d
}

// SignInSubject names the email and scope of a member sign-in (the email
// and the account ID as Authenticate normalizes them), hashed: it is what
// a device cookie issued after the sign-in vouches for.
func SignInSubject(c Credentials) string {
	t := c.target()
	return signInSubject(memberScope(t.scope), t.email)
}

// AdminSignInSubject is SignInSubject for the admin sign-in.
func AdminSignInSubject(email string) string {
	return signInSubject(adminScope, normalizeSignInEmail(email))
}

// normalizeSignInEmail is the email a sign-in counts under: normalized
// when well-formed, lowercased and bounded otherwise.
func normalizeSignInEmail(email string) string {
	if e, err := NormalizeEmail(email); err == nil {
		return e
	}
	return truncate(strings.ToLower(strings.TrimSpace(email)), maxEmailLen)
}

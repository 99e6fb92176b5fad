package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/sesame-idp/sesame/account"
)

const pathSecurity = "/account/security"

// mountSecurity mounts the person's second-factor pages and the second
// step of sign-in.
func (s *Server) mountSecurity(r gin.IRoutes) {
	r.GET(pathSecurity, s.page(s.securityPage))
	r.POST(pathSecurity+"/totp", s.page(s.securityConfirm))
	r.POST(pathSecurity+"/totp/remove", s.page(s.totpRemove))
	r.POST(pathSecurity+"/recovery-codes", s.page(s.securityRegenerate))
	r.POST(pathSecurity+"/passkeys", s.page(s.passkeyRegister))
	r.POST(pathSecurity+"/passkeys/remove", s.page(s.passkeyRemove))
	r.POST(pathSecurity+"/passkeys/rename", s.page(s.passkeyRename))
	r.POST(pathSecondStep, s.page(s.secondStepSubmit))
	r.POST(pathLoginEnrol, s.page(s.loginEnrolSubmit))
}

type securityView struct {
	Factors account.SecondFactors
	// Back is the page the person came from: their account, or the
	// administration.
	Back string
	// Enrolment of an authenticator app: its URI and its QR code.
	URI    string
	QR     template.URL
	Action string // where the code is posted
	// Pending is the sealed sign-in of an enrolment during sign-in.
	Pending string
	Error   string
	// Passkeys, and the ceremony that registers a new one (nil when the
	// issuer cannot hold passkeys).
	Passkeys      []account.Passkey
	Register      *passkeyCeremony
	PasskeyAction string
	PasskeyError  string
	PasskeyName   string
	Flash         string
	// Alert says why a removal was refused, at the top of the page.
	Alert string
}

type recoveryCodesView struct {
	Codes    []string
	Continue string
}

// memberSession returns the browser session of a signed-in person; when
// there is none it redirects to the login page and returns ok false.
func (s *Server) memberSession(c *gin.Context) (account.Session, bool, error) {
	sess, ok, err := s.browserSession(c)
	if err != nil {
		return sess, false, err
	}
	if !ok || sess.MemberID == "" {
		c.Redirect(http.StatusSeeOther, "/login")
		return sess, false, nil
	}
	return sess, true, nil
}

// signedInMember returns the member of the browser session, or redirects
// to the login page and returns "".
func (s *Server) signedInMember(c *gin.Context) (string, error) {
	sess, _, err := s.memberSession(c)
	return sess.MemberID, err
}

// signedInPerson returns who manages their second factors: the member of
// the browser session, or a platform administrator signed in with a
// second factor. Otherwise it redirects to the login page and returns "".
func (s *Server) signedInPerson(c *gin.Context) (id, back string, err error) {
	if a, ok, err := s.signedInAdmin(c); err != nil || ok {
		return a.ID, "/admin", err
	}
	id, err = s.signedInMember(c)
	return id, "/account", err
}

// securityFlashes are the messages a change on the security page leaves
// for the page it redirects to (?done=…).
var securityFlashes = map[string]bool{
	"security_totp_added": true, "security_totp_removed": true,
	"security_passkey_added": true, "security_passkey_removed": true, "security_passkey_renamed": true,
}

// securityPage shows the person's second factors: the authenticator app
// (or its enrolment when there is none), the passkeys, the recovery codes.
func (s *Server) securityPage(c *gin.Context) error {
	id, back, err := s.signedInPerson(c)
	if id == "" || err != nil {
		return err
	}
	v := securityView{Back: back}
	if done := c.Query("done"); securityFlashes[done] {
		v.Flash = s.msg(c, done)
	}
	return s.renderSecurity(c, id, v, http.StatusOK)
}

// renderSecurity completes v with the second factors of personID and
// shows it: an authenticator app's enrolment (QR code drawn here, its
// otpauth:// URI as text) when there is none, and the passkeys.
func (s *Server) renderSecurity(c *gin.Context, personID string, v securityView, status int) error {
	ctx := c.Request.Context()
	f, err := s.Accounts.SecondFactors(ctx, personID)
	if err != nil {
		return err
	}
	v.Factors = f
	v.Action, v.PasskeyAction = pathSecurity+"/totp", pathSecurity+"/passkeys"
	if v.Pending != "" {
		v.Action, v.PasskeyAction = pathLoginEnrol, pathLoginEnrol
	}
	if !f.TOTP {
		uri, err := s.Accounts.PendingTOTP(ctx, personID)
		if err != nil {
			return err
		}
		png, err := qrcode.Encode(uri, qrcode.Medium, 240)
		if err != nil {
			return err
		}
		v.URI, v.QR = uri, template.URL("data:image/png;base64,"+base64.StdEncoding.EncodeToString(png))
	}
	if s.Accounts.PasskeysAvailable() {
		if v.Passkeys, err = s.Accounts.Passkeys(ctx, personID); err != nil {
			return err
		}
		if v.Register, err = s.beginRegistration(c, personID); err != nil {
			return err
		}
	}
	s.render(c, status, "security", "security_title", v)
	return nil
}

// renderEnrol shows the enrolment of a second factor during sign-in
// (pending set) or from the security page, with errMsg beside the code.
func (s *Server) renderEnrol(c *gin.Context, personID, pending, errMsg string) error {
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	return s.renderSecurity(c, personID, securityView{Back: "/account", Pending: pending, Error: errMsg}, status)
}

func (s *Server) securityConfirm(c *gin.Context) error {
	id, back, err := s.signedInPerson(c)
	if id == "" || err != nil {
		return err
	}
	if ok, err := s.changeAllowed(c, id, back); !ok || err != nil {
		return err
	}
	return s.confirmEnrol(c, id, "", nil)
}

// loginEnrolSubmit confirms a second factor enrolled during sign-in (an
// authenticator app's code, or a passkey); the browser session opens then,
// with its second factor passed.
func (s *Server) loginEnrolSubmit(c *gin.Context) error {
	raw := c.PostForm("pending")
	p, err := s.openPending(raw)
	if err != nil {
		return badRequest("invalid_second_step", "second_step_expired").wrap(err)
	}
	if c.PostForm("state") != "" {
		return s.registerPasskey(c, p.MemberID, "", raw, &p)
	}
	return s.confirmEnrol(c, p.MemberID, raw, &p)
}

// confirmEnrol checks the first code of an authenticator and shows the
// recovery codes, once. During sign-in (pending set) it opens the session.
func (s *Server) confirmEnrol(c *gin.Context, personID, pending string, p *pendingSignIn) error {
	codes, err := s.Accounts.ConfirmTOTP(c.Request.Context(), personID, c.PostForm("code"), c.ClientIP())
	switch {
	case errors.Is(err, account.ErrInvalidCode):
		return s.renderEnrol(c, personID, pending, s.msg(c, "security_code_wrong"))
	case errors.Is(err, account.ErrConflict):
		c.Redirect(http.StatusSeeOther, pathSecurity)
		return nil
	case err != nil:
		return err
	}
	if p == nil {
		if err := s.proveSecondFactor(c, account.AMROTP); err != nil {
			return err
		}
		if len(codes) == 0 {
			c.Redirect(http.StatusSeeOther, pathSecurity+"?done=security_totp_added#totp")
			return nil
		}
	}
	return s.showRecoveryCodes(c, codes, p, account.AMROTP)
}

// proveSecondFactor notes in the browser's session that its person has
// just confirmed a second factor by method, from this very session.
func (s *Server) proveSecondFactor(c *gin.Context, method string) error {
	raw, err := c.Cookie(s.sessionCookie())
	if err != nil || raw == "" {
		return nil
	}
	if err := s.Accounts.ProveSecondFactor(c.Request.Context(), raw, method); err != nil && !errors.Is(err, account.ErrNotFound) {
		return err
	}
	return nil
}

// changeAllowed reports whether the browser's session may change the
// second factors of a person who has one (add, remove, new recovery
// codes): only a session that passed a second step (at sign-in, or by
// confirming a factor since) may. A session opened with the password
// alone, perhaps by someone who learnt it before the person enrolled, may
// not; the page says to sign in again. A first enrolment needs no more
// than being signed in.
func (s *Server) changeAllowed(c *gin.Context, personID, back string) (bool, error) {
	sess, ok, err := s.browserSession(c)
	if err != nil || ok && sess.MFA {
		return err == nil, err
	}
	f, err := s.Accounts.SecondFactors(c.Request.Context(), personID)
	if err != nil || !f.Any() {
		return err == nil, err
	}
	v := securityView{Back: back, Alert: s.msg(c, "security_reauth")}
	return false, s.renderSecurity(c, personID, v, http.StatusForbidden)
}

// showRecoveryCodes shows the recovery codes of a first second factor,
// once, and then goes on: to the security page, or, during sign-in, on to
// where the sign-in was going, the session opened with method.
func (s *Server) showRecoveryCodes(c *gin.Context, codes []string, p *pendingSignIn, method string) error {
	next := pathSecurity
	if p != nil {
		var err error
		if next, err = s.start(c, *p, method); err != nil {
			return err
		}
	}
	if len(codes) == 0 {
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	s.render(c, http.StatusOK, "recovery_codes", "recovery_title", recoveryCodesView{Codes: codes, Continue: next})
	return nil
}

// securityRegenerate replaces the recovery codes and shows the new ones,
// once.
func (s *Server) securityRegenerate(c *gin.Context) error {
	id, back, err := s.signedInPerson(c)
	if id == "" || err != nil {
		return err
	}
	if ok, err := s.changeAllowed(c, id, back); !ok || err != nil {
		return err
	}
	codes, err := s.Accounts.RegenerateRecoveryCodes(c.Request.Context(), id, c.ClientIP())
	if errors.Is(err, account.ErrNoSecondFactor) {
		c.Redirect(http.StatusSeeOther, pathSecurity)
		return nil
	}
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "recovery_codes", "recovery_title", recoveryCodesView{Codes: codes, Continue: pathSecurity})
	return nil
}

// totpRemove removes the person's authenticator app, unless it is the
// last second factor of someone who must keep one.
func (s *Server) totpRemove(c *gin.Context) error {
	id, back, err := s.signedInPerson(c)
	if id == "" || err != nil {
		return err
	}
	if ok, err := s.changeAllowed(c, id, back); !ok || err != nil {
		return err
	}
	err = s.Accounts.RemoveTOTP(c.Request.Context(), id, c.ClientIP())
	switch {
	case errors.Is(err, account.ErrNoSecondFactor):
		c.Redirect(http.StatusSeeOther, pathSecurity)
		return nil
	case errors.Is(err, account.ErrLastFactor):
		return s.renderSecurity(c, id, securityView{Back: back, Alert: s.msg(c, "security_last_factor")}, http.StatusConflict)
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, pathSecurity+"?done=security_totp_removed")
	return nil
}

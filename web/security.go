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
	r.POST(pathSecurity+"/recovery-codes", s.page(s.securityRegenerate))
	r.POST(pathSecondStep, s.page(s.secondStepSubmit))
	r.POST(pathLoginEnrol, s.page(s.loginEnrolSubmit))
}

type securityView struct {
	Factors account.SecondFactors
	// Enrolment: the authenticator's URI and its QR code.
	URI    string
	QR     template.URL
	Action string // where the code is posted
	// Pending is the sealed sign-in of an enrolment during sign-in.
	Pending string
	Error   string
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

// securityPage shows the person's second factors, or the enrolment of an
// authenticator app when there is none.
func (s *Server) securityPage(c *gin.Context) error {
	id, err := s.signedInMember(c)
	if id == "" || err != nil {
		return err
	}
	f, err := s.Accounts.SecondFactors(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if f.Any() {
		s.render(c, http.StatusOK, "security", "security_title", securityView{Factors: f})
		return nil
	}
	return s.renderEnrol(c, id, "", "")
}

// renderEnrol shows the enrolment of an authenticator app: its QR code,
// drawn here, and its otpauth:// URI as text.
func (s *Server) renderEnrol(c *gin.Context, memberID, pending, errMsg string) error {
	uri, err := s.Accounts.PendingTOTP(c.Request.Context(), memberID)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(uri, qrcode.Medium, 240)
	if err != nil {
		return err
	}
	v := securityView{
		URI: uri, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		Action: pathSecurity + "/totp", Pending: pending, Error: errMsg,
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	if pending != "" {
		v.Action = pathLoginEnrol
	}
	s.render(c, status, "security", "security_title", v)
	return nil
}

func (s *Server) securityConfirm(c *gin.Context) error {
	id, err := s.signedInMember(c)
	if id == "" || err != nil {
		return err
	}
	return s.confirmEnrol(c, id, "", nil)
}

// loginEnrolSubmit confirms an authenticator enrolled during sign-in; the
// browser session opens then, with its second factor passed.
func (s *Server) loginEnrolSubmit(c *gin.Context) error {
	raw := c.PostForm("pending")
	p, err := s.openPending(raw)
	if err != nil {
		return badRequest("invalid_second_step", "second_step_expired").wrap(err)
	}
	return s.confirmEnrol(c, p.MemberID, raw, &p)
}

// confirmEnrol checks the first code of an authenticator and shows the
// recovery codes, once. During sign-in (pending set) it opens the session.
func (s *Server) confirmEnrol(c *gin.Context, memberID, pending string, p *pendingSignIn) error {
	codes, err := s.Accounts.ConfirmTOTP(c.Request.Context(), memberID, c.PostForm("code"), c.ClientIP())
	switch {
	case errors.Is(err, account.ErrInvalidCode):
		return s.renderEnrol(c, memberID, pending, s.msg(c, "security_code_wrong"))
	case errors.Is(err, account.ErrConflict):
		c.Redirect(http.StatusSeeOther, pathSecurity)
		return nil
	case err != nil:
		return err
	}
	next := pathSecurity
	if p != nil {
		if next, err = s.start(c, *p); err != nil {
			return err
		}
	}
	s.render(c, http.StatusOK, "recovery_codes", "recovery_title", recoveryCodesView{Codes: codes, Continue: next})
	return nil
}

// securityRegenerate replaces the recovery codes and shows the new ones,
// once.
func (s *Server) securityRegenerate(c *gin.Context) error {
	id, err := s.signedInMember(c)
	if id == "" || err != nil {
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

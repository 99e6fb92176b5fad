package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/metrics"
)

// passkeyCeremony is a WebAuthn ceremony as a page carries it: the options
// for navigator.credentials (JSON, read by sesame.js) and the sealed state
// the form sends back with the browser's answer in the field "credential".
type passkeyCeremony struct {
	Options string
	State   string
}

func (s *Server) beginRegistration(c *gin.Context, personID string) (*passkeyCeremony, error) {
	cer, err := s.Accounts.BeginPasskeyRegistration(c.Request.Context(), personID)
	if err != nil {
		return nil, err
	}
	return &passkeyCeremony{Options: string(cer.Options), State: cer.State}, nil
}

// beginSignIn returns the passkey ceremony of personID's second step, or
// nil when they have no passkey.
func (s *Server) beginSignIn(c *gin.Context, personID string) (*passkeyCeremony, error) {
	if !s.Accounts.PasskeysAvailable() {
		return nil, nil
	}
	cer, err := s.Accounts.BeginPasskeySignIn(c.Request.Context(), personID)
	if errors.Is(err, account.ErrNoSecondFactor) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &passkeyCeremony{Options: string(cer.Options), State: cer.State}, nil
}

// passkeyRegister keeps the passkey the browser made on the security page.
func (s *Server) passkeyRegister(c *gin.Context) error {
	id, back, err := s.signedInPerson(c)
	if id == "" || err != nil {
		return err
	}
	if ok, err := s.changeAllowed(c, id, back); !ok || err != nil {
		return err
	}
	return s.registerPasskey(c, id, back, "", nil)
}

// registerPasskey checks and keeps a new passkey of personID. The first
// second factor comes with recovery codes, shown once; during sign-in
// (p set) the session opens with it. back is the page the security page
// leads back to.
func (s *Server) registerPasskey(c *gin.Context, personID, back, pending string, p *pendingSignIn) error {
	name := c.PostForm("name")
	key, codes, err := s.Accounts.FinishPasskeyRegistration(c.Request.Context(), personID, name,
		c.PostForm("state"), c.PostForm("credential"), c.ClientIP())
	var msg string
	switch {
	case errors.Is(err, account.ErrInvalidName):
		msg = s.msg(c, "security_passkey_name_invalid", "Max", account.MaxPasskeyName)
	case errors.Is(err, account.ErrTooManyPasskeys):
		msg = s.msg(c, "security_passkey_too_many")
	case errors.Is(err, account.ErrInvalidCode):
		msg = s.msg(c, "security_passkey_failed")
	case errors.Is(err, account.ErrPasskeysUnavailable):
		return notFound("not_found").wrap(err)
	case err != nil:
		return err
	}
	if msg != "" {
		v := securityView{Back: back, Pending: pending, PasskeyError: msg, PasskeyName: name}
		return s.renderSecurity(c, personID, v, http.StatusBadRequest)
	}
	method := account.AMRHardwareKey
	if key.Synced {
		method = account.AMRSoftwareKey
	}
	if p == nil {
		if err := s.proveSecondFactor(c, method); err != nil {
			return err
		}
	}
	if p == nil && len(codes) == 0 {
		c.Redirect(http.StatusSeeOther, pathSecurity+"?done=security_passkey_added#passkeys")
		return nil
	}
	return s.showRecoveryCodes(c, codes, p, method)
}

// passkeyRemove removes one of the person's passkeys.
func (s *Server) passkeyRemove(c *gin.Context) error {
	id, back, err := s.signedInPerson(c)
	if id == "" || err != nil {
		return err
	}
	if ok, err := s.changeAllowed(c, id, back); !ok || err != nil {
		return err
	}
	err = s.Accounts.RemovePasskey(c.Request.Context(), id, c.PostForm("id"), c.ClientIP())
	switch {
	case errors.Is(err, account.ErrNotFound):
		return notFound("security_passkey_not_found").wrap(err)
	case errors.Is(err, account.ErrLastFactor):
		v := securityView{Back: back, Alert: s.msg(c, "security_last_factor")}
		return s.renderSecurity(c, id, v, http.StatusConflict)
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, pathSecurity+"?done=security_passkey_removed#passkeys")
	return nil
}

// passkeySecondStep checks the passkey of a second step; it reports the
// method passed, or "" after answering with the page again.
func (s *Server) passkeySecondStep(c *gin.Context, p pendingSignIn, device account.Device) (string, error) {
	method, err := s.Accounts.VerifyPasskey(c.Request.Context(), p.MemberID, c.PostForm("state"),
		c.PostForm("credential"), c.ClientIP(), device)
	switch {
	case errors.Is(err, account.ErrThrottled):
		s.signInOutcome(metrics.SignInThrottled)
		setRetryAfter(c, err)
		return "", s.renderSecondStep(c, p.MemberID, c.PostForm("pending"), http.StatusTooManyRequests, "", s.msg(c, "login_throttled"))
	case errors.Is(err, account.ErrInvalidCode):
		s.signInOutcome(metrics.SignInInvalid)
		return "", s.renderSecondStep(c, p.MemberID, c.PostForm("pending"), http.StatusUnauthorized, "", s.msg(c, "second_step_passkey_failed"))
	case err != nil:
		return "", err
	}
	return method, nil
}

// passkeyRename gives one of the person's passkeys a new name.
func (s *Server) passkeyRename(c *gin.Context) error {
	id, back, err := s.signedInPerson(c)
	if id == "" || err != nil {
		return err
	}
	err = s.Accounts.RenamePasskey(c.Request.Context(), id, c.PostForm("id"), c.PostForm("name"))
	switch {
	case errors.Is(err, account.ErrNotFound):
		return notFound("security_passkey_not_found").wrap(err)
	case errors.Is(err, account.ErrInvalidName):
		v := securityView{Back: back, Alert: s.msg(c, "security_passkey_name_invalid", "Max", account.MaxPasskeyName)}
		return s.renderSecurity(c, id, v, http.StatusBadRequest)
	case err != nil:
		return err
	}
	c.Redirect(http.StatusSeeOther, pathSecurity+"?done=security_passkey_renamed#passkeys")
	return nil
}

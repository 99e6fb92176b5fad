package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/metrics"
	"github.com/sesame-idp/sesame/oauth"
)

const (
	pathSecondStep = "/login/second-step"
	pathLoginEnrol = "/login/enrol"
	pendingPurpose = "second-step"
	pendingTTL     = 10 * time.Minute
)

// pendingSignIn is a sign-in whose password was right and whose second
// step is to come. It travels sealed in the second-step form: nobody can
// read or forge it, and it expires. The browser session is created only
// once the second step passes.
type pendingSignIn struct {
	MemberID string `json:"m"` // or the admin's ID when Admin
	Admin    bool   `json:"a,omitempty"`
	Ticket   string `json:"t,omitempty"`
	// Subject is the sign-in subject of the password step: the device
	// cookie is checked against it, and set for it once signed in.
	Subject string `json:"s,omitempty"`
	// Tab and AccountID are what the login page remembers once signed in.
	Tab       string `json:"b,omitempty"`
	AccountID string `json:"c,omitempty"`
	Expires   int64  `json:"e"`
}

var errPending = errors.New("web: invalid or expired second step")

func (s *Server) sealPending(p pendingSignIn) string {
	p.Expires = s.Now().Add(pendingTTL).Unix()
	b, _ := json.Marshal(p)
	return s.Secrets.Seal(pendingPurpose, b)
}

// start opens the browser session of a sign-in whose second step passed
// by method (an RFC 8176 value) and returns where the browser goes next.
func (s *Server) start(c *gin.Context, p pendingSignIn, method string) (string, error) {
	memberID, adminID, next := p.MemberID, "", s.afterSignIn(p.Ticket)
	if p.Admin {
		memberID, adminID, next = "", p.MemberID, "/admin"
	}
	if _, err := s.startSessionMFA(c, memberID, adminID, method); err != nil {
		return "", err
	}
	if p.Subject != "" {
		s.rememberDevice(c, p.Subject)
	}
	if !p.Admin {
		s.rememberLogin(c, p.Tab, p.AccountID)
	}
	return next, nil
}

func (s *Server) openPending(raw string) (pendingSignIn, error) {
	var p pendingSignIn
	if raw == "" || len(raw) > 16384 {
		return p, errPending
	}
	b, err := s.Secrets.Open(pendingPurpose, raw)
	if err != nil || json.Unmarshal(b, &p) != nil || s.Now().Unix() > p.Expires || p.MemberID == "" {
		return pendingSignIn{}, errPending
	}
	return p, nil
}

type secondStepView struct {
	Pending string
	Error   string
	// Passkey is the ceremony of a sign-in with a passkey, nil when the
	// person has none.
	Passkey      *passkeyCeremony
	PasskeyError string
	// PasskeysOnly is true for a person with passkeys and no
	// authenticator app: their codes are recovery codes.
	PasskeysOnly bool
}

// renderSecondStep shows the second step of personID's sign-in: a code,
// or one of their passkeys.
func (s *Server) renderSecondStep(c *gin.Context, personID, pending string, status int, codeErr, passkeyErr string) error {
	cer, err := s.beginSignIn(c, personID)
	if err != nil {
		return err
	}
	f, err := s.Accounts.SecondFactors(c.Request.Context(), personID)
	if err != nil {
		return err
	}
	s.render(c, status, "second_step", "second_step_title", secondStepView{Pending: pending, Error: codeErr,
		Passkey: cer, PasskeyError: passkeyErr, PasskeysOnly: cer != nil && !f.TOTP})
	return nil
}

// secondStep runs after a verified password. It reports whether it
// answered: a person with a second factor gets the second-step page; one
// who needs a factor and has none (the owner's policy, or a client asking
// for oauth.ACRMFA) enrols first. Nothing before this point depends
// on whether the person has a second factor.
func (s *Server) secondStep(c *gin.Context, m account.Member, ticket, subject, tab string) (bool, error) {
	has, required, err := s.Accounts.NeedsSecondFactor(c.Request.Context(), m)
	if err != nil {
		return false, err
	}
	if !has && !required && !s.ticketWantsMFA(ticket) {
		return false, nil
	}
	s.signInOutcome(metrics.SignInSecondFactor)
	pending := s.sealPending(pendingSignIn{MemberID: m.ID, Ticket: ticket, Subject: subject, Tab: tab, AccountID: m.AccountID})
	if has {
		return true, s.renderSecondStep(c, m.ID, pending, http.StatusOK, "", "")
	}
	return true, s.renderEnrol(c, m.ID, pending, "")
}

// mfaDemanded reports whether an authorization request needs a second
// factor from m: the client asks for one (acr_values), or the owner's
// policy requires one.
func (s *Server) mfaDemanded(ctx context.Context, m account.Member, form url.Values) (bool, error) {
	if slices.Contains(strings.Fields(form.Get("acr_values")), oauth.ACRMFA) {
		return true, nil
	}
	return s.Accounts.MFARequired(ctx, m)
}

// ticketWantsMFA reports whether the authorization request of ticket asks
// for a second factor (acr_values names oauth.ACRMFA).
func (s *Server) ticketWantsMFA(raw string) bool {
	t, err := s.openTicket(raw)
	if err != nil {
		return false
	}
	q, err := url.ParseQuery(t.Query)
	return err == nil && slices.Contains(strings.Fields(q.Get("acr_values")), oauth.ACRMFA)
}

// secondStepSubmit checks the code of the second step (TOTP or recovery
// code), throttled like passwords, then opens the browser session and
// resumes the authorization request as after a password.
func (s *Server) secondStepSubmit(c *gin.Context) error {
	p, err := s.openPending(c.PostForm("pending"))
	if err != nil {
		return badRequest("invalid_second_step", "second_step_expired").wrap(err)
	}
	var device account.Device
	if p.Subject != "" {
		device = s.device(c, p.Subject)
	}
	method := account.AMROTP
	if c.PostForm("state") != "" {
		if method, err = s.passkeySecondStep(c, p, device); method == "" || err != nil {
			return err
		}
	} else {
		err = s.Accounts.VerifySecondFactor(c.Request.Context(), p.MemberID, c.PostForm("code"), c.ClientIP(), device)
		switch {
		case errors.Is(err, account.ErrThrottled):
			s.signInOutcome(metrics.SignInThrottled)
			setRetryAfter(c, err)
			return s.renderSecondStep(c, p.MemberID, c.PostForm("pending"), http.StatusTooManyRequests, s.msg(c, "login_throttled"), "")
		case errors.Is(err, account.ErrInvalidCode):
			s.signInOutcome(metrics.SignInInvalid)
			return s.renderSecondStep(c, p.MemberID, c.PostForm("pending"), http.StatusUnauthorized, s.msg(c, "second_step_failed"), "")
		case err != nil:
			return err
		}
	}
	next, err := s.start(c, p, method)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// adminSecondStep follows a platform admin's verified password: the
// second step, or the enrolment of a second factor when there is none.
func (s *Server) adminSecondStep(c *gin.Context, adminID, subject string) error {
	f, err := s.Accounts.SecondFactors(c.Request.Context(), adminID)
	if err != nil {
		return err
	}
	pending := s.sealPending(pendingSignIn{MemberID: adminID, Admin: true, Subject: subject})
	if f.Any() {
		return s.renderSecondStep(c, adminID, pending, http.StatusOK, "", "")
	}
	return s.renderEnrol(c, adminID, pending, "")
}

// afterSignIn is where a browser goes once signed in: back to the
// authorization request of ticket, or to its account page.
func (s *Server) afterSignIn(ticket string) string {
	if _, err := s.openTicket(ticket); err == nil {
		return pathResume + "?ticket=" + url.QueryEscape(ticket)
	}
	return "/account"
}

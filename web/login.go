package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/metrics"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

type loginView struct {
	Tab       string // "owner" or "member" (Compte de connexion)
	Email     string
	AccountID string
	Ticket    string
	Error     string
	Notice    string
	// Failed shows, after any failed sign-in, the hint about the other
	// tab: the same for everyone, so it tells nothing about the email.
	Failed bool
}

// loginPage shows the sign-in form: the account holder's tab (email and
// password) or the login account's tab (email, password and account ID).
func (s *Server) loginPage(c *gin.Context) error {
	v := loginView{Tab: c.Query("tab"), Email: c.Query("email"), Ticket: c.Query("ticket")}
	if id, ok := account.NormalizeAccountID(c.Query("account_id")); ok {
		v.AccountID = id
		v.Tab = "member"
	}
	// The remembered tab applies when the address names none; the
	// remembered account ID fills the login account's tab.
	tab, remembered := s.rememberedLogin(c)
	if v.Tab != "owner" && v.Tab != "member" {
		v.Tab = tab
	}
	if v.Tab != "member" {
		v.Tab = "owner"
	}
	if v.AccountID != "" {
		remembered = v.AccountID
	}
	s.rememberLogin(c, v.Tab, remembered)
	if v.Tab == "member" {
		v.AccountID = remembered
	}
	switch {
	case c.Query("password_set") == "1":
		v.Notice = s.msg(c, "login_password_set")
	case c.Query("signed_out") == "1":
		v.Notice = s.msg(c, "login_signed_out")
	}
	if v.Ticket == "" {
		sess, ok, err := s.browserSession(c)
		if err != nil {
			return err
		}
		if ok && sess.MemberID != "" {
			c.Redirect(http.StatusSeeOther, "/account")
			return nil
		}
	}
	s.render(c, http.StatusOK, "login", "login_title", v)
	return nil
}

// loginSubmit checks the credentials. Every failure (unknown email,
// unknown account, not a member, wrong password) gives the same message,
// status and timing; account.Authenticate makes sure of the timing. Too
// many attempts give 429 with Retry-After, for known and unknown emails
// alike. The browser's device cookie, when it holds one for this email
// and account ID, lets the attempt count on the device's own limit; a
// success sets it.
func (s *Server) loginSubmit(c *gin.Context) error {
	v := loginView{
		Tab:       c.PostForm("tab"),
		Email:     c.PostForm("email"),
		AccountID: c.PostForm("account_id"),
		Ticket:    c.PostForm("ticket"),
	}
	if v.Tab != "member" {
		v.Tab = "owner"
	}
	if len(v.Email) > 254 || len(v.AccountID) > 32 || len(c.PostForm("password")) > 4096 {
		v.Error, v.Failed = s.msg(c, "login_failed"), true
		s.render(c, http.StatusUnauthorized, "login", "login_title", v)
		return nil
	}
	creds := account.Credentials{
		Email:     v.Email,
		Password:  c.PostForm("password"),
		AccountID: v.AccountID,
		IP:        c.ClientIP(),
	}
	subject := account.SignInSubject(creds)
	creds.Device = s.device(c, subject)
	member, err := s.Accounts.Authenticate(c.Request.Context(), creds)
	switch {
	case errors.Is(err, account.ErrThrottled):
		s.signInOutcome(metrics.SignInThrottled)
		v.Error = s.msg(c, "login_throttled")
		setRetryAfter(c, err)
		s.render(c, http.StatusTooManyRequests, "login", "login_title", v)
		return nil
	case errors.Is(err, account.ErrInvalidCredentials):
		s.signInOutcome(metrics.SignInInvalid)
		v.Error, v.Failed = s.msg(c, "login_failed"), true
		s.render(c, http.StatusUnauthorized, "login", "login_title", v)
		return nil
	case err != nil:
		return err
	}
	if answered, err := s.secondStep(c, member, v.Ticket, subject, v.Tab); answered || err != nil {
		return err
	}
	if _, err := s.startSession(c, member.ID, ""); err != nil {
		return err
	}
	s.rememberDevice(c, subject)
	s.rememberLogin(c, v.Tab, member.AccountID)
	c.Redirect(http.StatusSeeOther, s.afterSignIn(v.Ticket))
	return nil
}

// accountHome is where a person lands after signing in directly at
// Sésame.
func (s *Server) accountHome(c *gin.Context) error {
	sess, ok, err := s.memberSession(c)
	if !ok {
		return err
	}
	m, err := s.Accounts.Member(c.Request.Context(), sess.MemberID)
	if err != nil {
		return err
	}
	acct, err := s.Accounts.Account(c.Request.Context(), m.AccountID)
	if err != nil {
		return err
	}
	a, err := s.actor(c, "")
	if errors.Is(err, errNoActor) {
		c.Redirect(http.StatusSeeOther, "/login")
		return nil
	} else if err != nil {
		return err
	}
	v := accountView{Member: m, Account: acct, CanManage: a.CanManage(m.AccountID)}
	if m.Role != account.RoleOwner {
		v.Rights = s.rightLabels(langOf(c), a.Held)
	}
	if v.Consents, err = s.OAuth.Store.Consents(c.Request.Context(), m.ID); err != nil {
		return err
	}
	if v.Products, err = s.productLinks(c.Request.Context(), a); err != nil {
		return err
	}
	if k := c.Query("done"); k == "consents_done_revoked" {
		v.Flash = s.msg(c, k)
	}
	s.render(c, http.StatusOK, "account", "account_title", v)
	return nil
}

type accountView struct {
	Member    account.Member
	Account   account.Account
	CanManage bool // owner, or a login account holding members:manage
	// Rights are the rights of a login account in words (the owner holds
	// them all).
	Rights []string
	// Consents are the applications the person allowed, to withdraw.
	Consents []sqlstore.Consent
	// Products are the products the person may use, to link to.
	Products []sqlstore.ProductLink
	Flash    string
}

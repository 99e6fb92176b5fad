package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/metrics"
)

// sessionCookie names the browser session cookie. Over https it carries
// the __Host- prefix, which pins it to this host, path / and Secure.
func (s *Server) sessionCookie() string {
	if s.secure {
		return "__Host-sesame_session"
	}
	return "sesame_session"
}

// browserSession returns the session of the request, if any and valid.
// The error is the storage's: a session that cannot be read is not the
// same as no session, and must not send the person to the login page.
func (s *Server) browserSession(c *gin.Context) (account.Session, bool, error) {
	if v, ok := c.Get("session"); ok {
		sess, ok := v.(account.Session)
		return sess, ok, nil
	}
	raw, err := c.Cookie(s.sessionCookie())
	if err != nil || raw == "" {
		return account.Session{}, false, nil
	}
	sess, err := s.Accounts.Session(c.Request.Context(), raw)
	if errors.Is(err, account.ErrNotFound) {
		return account.Session{}, false, nil
	} else if err != nil {
		return account.Session{}, false, fmt.Errorf("web: session lookup: %w", err)
	}
	c.Set("session", sess)
	return sess, true, nil
}

// startSession signs the browser in: any previous session of this browser
// is deleted and a new id issued, so that an id planted before sign-in is
// worthless after it. The sign-in is complete here (password, and second
// step when one was asked): it is recorded (last sign-in, activity log).
func (s *Server) startSession(c *gin.Context, memberID, adminID string) (account.Session, error) {
	return s.startSessionMFA(c, memberID, adminID, "")
}

// startSessionMFA is startSession for a sign-in that passed a second step
// by method (an RFC 8176 value such as "otp"); "" means none.
func (s *Server) startSessionMFA(c *gin.Context, memberID, adminID, method string) (account.Session, error) {
	old, _ := c.Cookie(s.sessionCookie())
	raw, sess, err := s.Accounts.OpenSession(c.Request.Context(), old, memberID, adminID, c.ClientIP(), c.Request.UserAgent(), method)
	if err != nil {
		return account.Session{}, err
	}
	s.signInOutcome(metrics.SignInSuccess)
	s.setSessionCookie(c, raw, int(sess.ExpiresAt.Sub(s.Now()).Seconds()))
	c.Set("session", sess)
	return sess, nil
}

func (s *Server) setSessionCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     s.sessionCookie(),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// endSession signs the browser out.
func (s *Server) endSession(c *gin.Context) error {
	if raw, err := c.Cookie(s.sessionCookie()); err == nil && raw != "" {
		// When the database cannot end it, the person is told so (503) and
		// keeps the cookie to try again: the session, and the products it
		// signed into, would otherwise stay open behind a "signed out".
		if err := s.Accounts.DeleteSession(c.Request.Context(), raw); err != nil && !errors.Is(err, account.ErrNotFound) {
			return err
		}
	}
	s.setSessionCookie(c, "", -1)
	c.Set("session", nil)
	return nil
}

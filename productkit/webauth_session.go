package productkit

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// session is the sealed content of the session cookie.
type session struct {
	Identity     Identity `json:"id"`
	IDToken      string   `json:"it,omitempty"`
	AccessToken  string   `json:"at,omitempty"`
	RefreshToken string   `json:"rt,omitempty"`
	Expiry       int64    `json:"ex"`    // access token expiry, Unix seconds
	Since        int64    `json:"since"` // sign-in, Unix seconds, product's clock
	// SID is Sésame's session id (the ID token's sid), Auth the iat of the
	// sign-in's ID token and Iat that of the tokens the identity was last
	// taken from, both on Sésame's clock, Unix seconds: the revocation
	// store's events are compared with them.
	SID  string `json:"sid,omitempty"`
	Auth int64  `json:"auth,omitempty"`
	Iat  int64  `json:"iat,omitempty"`
	// ACR, AMR and AuthTime are those of the sign-in's ID token: how and
	// when (Unix seconds, Sésame's clock) the person last authenticated.
	// A refresh keeps them: it authenticates nobody.
	ACR      string   `json:"acr,omitempty"`
	AMR      []string `json:"amr,omitempty"`
	AuthTime int64    `json:"auth_time,omitempty"`
}

// sessionKey marks a request whose session was already loaded.
const sessionKey = "productkit.session"

func (w *WebAuth) sessionCookie() string { return w.prefix + "_session" }

// saveSession writes s; it lives until SessionMaxAge after the sign-in.
func (w *WebAuth) saveSession(c *gin.Context, s *session) error {
	exp := time.Unix(s.Since, 0).Add(w.cfg.SessionMaxAge)
	return w.jar.write(c.Writer, c.Request, w.sessionCookie(), s, exp)
}

// load returns the request's session, renewing its tokens when they
// expire within RefreshBefore, and stores its Identity in the context. It
// runs once per request.
func (w *WebAuth) load(c *gin.Context) (*session, bool) {
	c.Set(answerKey, answerer(browserAnswer{w}))
	if v, ok := c.Get(sessionKey); ok {
		s, ok := v.(*session)
		return s, ok && s != nil
	}
	s, ok := w.loadOnce(c)
	if !ok {
		c.Set(sessionKey, (*session)(nil))
		return nil, false
	}
	c.Set(sessionKey, s)
	c.Set(identityKey, s.Identity)
	return s, true
}

// loadOnce reads the session cookie, ends the session when the
// revocation store says Sésame ended it, renews its tokens when they
// expire soon or their rights are stale, and, when the rights are still
// stale after that, takes the rights from the store.
func (w *WebAuth) loadOnce(c *gin.Context) (*session, bool) {
	ctx := c.Request.Context()
	var s session
	if err := w.jar.read(c.Request, w.sessionCookie(), &s); err != nil {
		return nil, false
	}
	var rev Revocation
	if w.cfg.Revocations != nil {
		var err error
		if rev, err = w.cfg.Revocations.Lookup(ctx, s.Identity.Sub, s.SID); err != nil {
			w.log.ErrorContext(ctx, "productkit: revocation store unavailable", "err", err)
			browserAnswer{w}.unavailable(c)
			return nil, false
		}
		if rev.SessionOver(time.Unix(s.Auth, 0)) {
			w.log.InfoContext(ctx, "productkit: session ended by the issuer, signing out", "sub", s.Identity.Sub)
			w.jar.clear(c.Writer, c.Request, w.sessionCookie())
			return nil, false
		}
	}
	// Tokens issued in an earlier second than the change are renewed; a
	// renewal in the very second of the change gives tokens that still
	// count as stale, and renewing again would not help: the store's
	// rights apply instead, until the next renewal.
	iat := time.Unix(s.Iat, 0)
	fresh, ok := w.renewIfNeeded(c, &s, !rev.ClaimsChangedAt.IsZero() && rev.ClaimsChangedAt.After(iat))
	if !ok {
		return nil, false
	}
	if rev.RightsStale(time.Unix(fresh.Iat, 0)) {
		// Sésame changed the rights after these tokens were issued: the
		// store holds the rights as of that change.
		cp := *fresh
		cp.Identity.Rights = append([]string{}, rev.Rights...)
		return &cp, true
	}
	return fresh, true
}

// renewIfNeeded renews the tokens of s when they expire within
// RefreshBefore, or when stale is set and s holds a refresh token. ok is
// false when the session is over.
func (w *WebAuth) renewIfNeeded(c *gin.Context, sp *session, stale bool) (*session, bool) {
	ctx := c.Request.Context()
	s := *sp
	now := w.issuer.now()
	expiry := time.Unix(s.Expiry, 0)
	if now.Add(w.cfg.RefreshBefore).Before(expiry) && (!stale || s.RefreshToken == "") {
		return &s, true
	}
	if s.RefreshToken == "" {
		if now.Before(expiry) {
			return &s, true
		}
		w.jar.clear(c.Writer, c.Request, w.sessionCookie())
		return nil, false
	}
	fresh, err := w.refresh.do(ctx, &s, now, func() (*session, error) { return w.renew(ctx, &s) })
	switch {
	case err == nil:
		if err := w.saveSession(c, fresh); err != nil {
			w.log.ErrorContext(ctx, "productkit: session cookie", "err", err)
		}
		return fresh, true
	case isGrantRefused(err):
		// Revoked, disabled login account, reused refresh token: the
		// session is over.
		w.log.InfoContext(ctx, "productkit: refresh refused, signing out", "sub", s.Identity.Sub, "err", err)
		w.jar.clear(c.Writer, c.Request, w.sessionCookie())
		return nil, false
	case now.Before(expiry):
		w.log.WarnContext(ctx, "productkit: refresh failed, keeping the current tokens", "err", err)
		return &s, true
	default:
		w.log.WarnContext(ctx, "productkit: refresh failed", "err", err)
		return nil, false
	}
}

// renew uses the refresh token of s and returns the new session.
func (w *WebAuth) renew(ctx context.Context, s *session) (*session, error) {
	d, err := w.issuer.Discover(ctx)
	if err != nil {
		return nil, err
	}
	xctx, cancel := w.clientContext(ctx)
	defer cancel()
	tok, err := w.oauthConfig(d).TokenSource(xctx, &oauth2.Token{RefreshToken: s.RefreshToken}).Token()
	if err != nil {
		return nil, fmt.Errorf("productkit: refresh: %w", err)
	}
	fresh, err := w.sessionFrom(ctx, tok, s, "")
	if err != nil {
		return nil, err
	}
	fresh.Since, fresh.Auth = s.Since, s.Auth
	return fresh, nil
}

// sessionFrom builds a session from the token response tok. The ID token
// is verified; at sign-in its nonce must equal nonce; at a refresh (prev
// set) its subject must not change, and when the response carries no ID
// token the identity is taken from the verified access token.
func (w *WebAuth) sessionFrom(ctx context.Context, tok *oauth2.Token, prev *session, nonce string) (*session, error) {
	s := &session{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
	// expires_in counts from now on the product's clock; x/oauth2's Expiry
	// uses the wall clock, which tests cannot move.
	var expiry time.Time
	switch {
	case tok.ExpiresIn > 0:
		expiry = w.issuer.now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	case !tok.Expiry.IsZero():
		expiry = tok.Expiry
	}
	rawID, _ := tok.Extra("id_token").(string)
	switch {
	case rawID != "":
		idt, c, err := w.idv.verify(ctx, rawID, kindID)
		if err != nil {
			return nil, err
		}
		if prev == nil && subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1 {
			return nil, ErrNonceMismatch
		}
		if idt.AccessTokenHash != "" {
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				return nil, fmt.Errorf("%w: at_hash: %v", ErrInvalidToken, err)
			}
		}
		s.IDToken = rawID
		s.Identity = c.identity()
		s.SID, s.Iat = c.SID, idt.IssuedAt.Unix()
		s.ACR, s.AMR, s.AuthTime = c.ACR, c.AMR, int64(c.AuthTime)
		if expiry.IsZero() {
			expiry = idt.Expiry
		}
	case prev != nil:
		at, c, err := w.atv.verify(ctx, tok.AccessToken, kindAccess)
		if err != nil {
			return nil, err
		}
		s.IDToken = prev.IDToken
		s.Identity = c.identity()
		s.SID, s.Iat = c.SID, c.issuedAt().Unix()
		if expiry.IsZero() {
			expiry = at.Expiry
		}
	default:
		return nil, fmt.Errorf("%w: no id_token in the token response", ErrInvalidToken)
	}
	s.Expiry = expiry.Unix()
	if prev != nil && s.Identity.Sub != prev.Identity.Sub {
		return nil, ErrSubjectMismatch
	}
	if prev != nil {
		if s.RefreshToken == "" {
			s.RefreshToken = prev.RefreshToken
		}
		if s.SID == "" {
			s.SID = prev.SID
		}
		s.ACR, s.AMR, s.AuthTime = prev.ACR, prev.AMR, prev.AuthTime
	}
	return s, nil
}

// isGrantRefused reports whether the token endpoint refused the grant
// itself (as opposed to being unreachable).
func isGrantRefused(err error) bool {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode == "invalid_grant" || re.ErrorCode == "unauthorized_client" ||
			(re.Response != nil && (re.Response.StatusCode == http.StatusBadRequest || re.Response.StatusCode == http.StatusUnauthorized))
	}
	return errors.Is(err, ErrInvalidToken)
}

// refresher makes one refresh per refresh token. Sésame rotates refresh
// tokens and treats a second use as theft (it revokes the grant), so
// concurrent requests of one browser must share one refresh, and a request
// still carrying the old cookie a moment later must get the result of that
// refresh rather than use the spent token again.
type refresher struct {
	flight singleflight.Group
	mu     sync.Mutex
	recent map[string]recentRefresh
}

type recentRefresh struct {
	s  *session
	at time.Time
}

// recentFor is how long the result of a refresh is handed to requests
// presenting the spent refresh token.
const recentFor = time.Minute

func (r *refresher) do(ctx context.Context, s *session, now time.Time, renew func() (*session, error)) (*session, error) {
	h := sha256.Sum256([]byte(s.RefreshToken))
	key := hex.EncodeToString(h[:])
	r.mu.Lock()
	if rr, ok := r.recent[key]; ok && now.Sub(rr.at) < recentFor {
		r.mu.Unlock()
		return rr.s, nil
	}
	r.mu.Unlock()
	v, err, _ := r.flight.Do(key, func() (any, error) {
		fresh, err := renew()
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		for k, rr := range r.recent {
			if now.Sub(rr.at) >= recentFor {
				delete(r.recent, k)
			}
		}
		r.recent[key] = recentRefresh{s: fresh, at: now}
		r.mu.Unlock()
		return fresh, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*session), nil
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/oauth"
)

const (
	pathResume  = "/oauth2/auth/resume"
	pathConsent = "/oauth2/auth/consent"
)

// authorize is the authorization endpoint. fosite validates the request
// first (client, exact redirect URI, PKCE, scopes); only then is a browser
// without a session sent to the login page.
func (s *Server) authorize(c *gin.Context) error {
	s.authorizeRequest(c, c.Request, nil)
	return nil
}

// resume continues an authorization request after the login or consent
// page, from its sealed ticket.
func (s *Server) resume(c *gin.Context) error {
	t, err := s.openTicket(c.Query("ticket"))
	if err != nil {
		return ticketError(err)
	}
	s.authorizeRequest(c, ticketRequest(c.Request, t), &t)
	return nil
}

// ticketError is a sign-in ticket that does not open (expired or forged).
func ticketError(err error) *Error {
	return badRequest("invalid_ticket", "error_ticket").wrap(err)
}

// ticketRequest rebuilds the original authorization request of a ticket.
func ticketRequest(r *http.Request, t authTicket) *http.Request {
	r2 := r.Clone(r.Context())
	u := *r.URL
	u.Path = oauth.PathAuthorize
	u.RawQuery = t.Query
	r2.URL = &u
	r2.Form, r2.PostForm = nil, nil
	return r2
}

func (s *Server) authorizeRequest(c *gin.Context, r *http.Request, t *authTicket) {
	ctx := r.Context()
	p := s.OAuth.OAuth2
	params := s.prepareAuthorize(ctx, r)
	r = params.r
	ar, err := p.NewAuthorizeRequest(ctx, r)
	if params.unsupported != nil && redirectValid(ar) {
		err = params.unsupported
	}
	if err == nil && !redirectValid(ar) {
		err = fosite.ErrInvalidRequest.WithHint("The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.")
	}
	if err == nil {
		err = oauth.CheckPKCE(ctx, ar)
	}
	if err != nil {
		s.authorizeError(c, ar, err)
		return
	}
	requestedAt := ar.GetRequestedAt()
	if t != nil {
		requestedAt = time.Unix(t.RequestedAt, 0).UTC()
		if req, ok := ar.(*fosite.AuthorizeRequest); ok {
			req.RequestedAt = requestedAt
		}
	}
	form := ar.GetRequestForm()
	prompts := strings.Fields(form.Get("prompt"))
	sess, signedIn, err := s.browserSession(c)
	if err != nil {
		s.authorizeError(c, ar, err)
		return
	}
	signedIn = signedIn && sess.MemberID != ""
	// fresh: the person signed in after this request first arrived (a
	// resumed request); prompt=login and max_age are then satisfied.
	fresh := t != nil && !sess.AuthTime.Before(requestedAt)
	if signedIn && slices.Contains(prompts, "login") && !fresh {
		signedIn = false
	}
	if maxAge, err := strconv.Atoi(form.Get("max_age")); err == nil && maxAge >= 0 && signedIn && !fresh {
		if s.Now().Sub(sess.AuthTime) > time.Duration(maxAge)*time.Second {
			signedIn = false
		}
	}
	// A password-only session signs in again when a second factor is
	// asked for (acr_values) or required (the owner's policy).
	var member account.Member
	if signedIn {
		var err error
		if member, err = s.Accounts.Member(ctx, sess.MemberID); err != nil {
			s.authorizeError(c, ar, fosite.ErrServerError.WithWrap(err))
			return
		}
	}
	if signedIn && !sess.MFA {
		demanded, err := s.mfaDemanded(ctx, member, form)
		if err != nil {
			s.authorizeError(c, ar, err)
			return
		}
		signedIn = !demanded
	}
	if !signedIn {
		if slices.Contains(prompts, "none") {
			s.authorizeError(c, ar, fosite.ErrLoginRequired.WithHint("Nobody is signed in at Sesame."))
			return
		}
		q := url.Values{"ticket": {s.sealTicket(r.URL.RawQuery, requestedAt)}}
		if lang, ok := uiLocale(form); ok {
			q.Set("lang", string(lang))
		}
		if id, ok := account.NormalizeAccountID(form.Get("account_id")); ok {
			q.Set("account_id", id)
			q.Set("tab", "member")
		}
		if hint := form.Get("login_hint"); hint != "" && len(hint) <= 254 {
			q.Set("email", hint)
		}
		c.Redirect(http.StatusSeeOther, "/login?"+q.Encode())
		return
	}
	client := ar.GetClient()
	items := consentItems(ar)
	if !isFirstParty(client) {
		consented, err := s.OAuth.Store.HasConsent(c.Request.Context(), member.ID, client.GetID(), items)
		if err != nil {
			s.authorizeError(c, ar, fosite.ErrServerError.WithWrap(err))
			return
		}
		if !consented || (slices.Contains(prompts, "consent") && t == nil) {
			if slices.Contains(prompts, "none") {
				s.authorizeError(c, ar, fosite.ErrConsentRequired.WithHint("The person has not yet allowed this application."))
				return
			}
			if lang, ok := uiLocale(form); ok {
				c.Set(langKey, lang)
			}
			s.consentPage(c, client, member, items, s.sealTicket(r.URL.RawQuery, requestedAt))
			return
		}
	}
	for _, scope := range ar.GetRequestedScopes() {
		// sesame:authz lets a product ask about anyone's rights: it is
		// for the product's own client-credentials tokens only.
		if scope != oauth.ScopeAuthz {
			ar.GrantScope(scope)
		}
	}
	for _, aud := range ar.GetRequestedAudience() {
		ar.GrantAudience(aud)
	}
	ar.GrantAudience(client.GetID())
	session, err := s.OAuth.SessionFor(ctx, personOf(member), client.GetID(), sess.AuthTime, requestedAt)
	if err != nil {
		s.authorizeError(c, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	session.SetSID(sess.SID)
	session.SetAuthMethods(sess.AMR(), sess.MFA)
	// Recorded before the code exists: a client recorded for a code never
	// issued is told of the session's end needlessly, never the reverse.
	if err := s.Accounts.RecordSessionClient(ctx, sess.SID, member.ID, client.GetID()); err != nil {
		s.authorizeError(c, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	session.Release(ar.GetGrantedScopes(), isFirstParty(client) || slices.Contains(items, consentRights))
	resp, err := p.NewAuthorizeResponse(ctx, ar, session)
	if err != nil {
		s.authorizeError(c, ar, err)
		return
	}
	p.WriteAuthorizeResponse(ctx, s.toClient(c), ar, resp)
}

// authorizeError sends the error back to the client when its redirect URI
// is known to be registered; otherwise it shows an error page and never
// redirects (no open redirect). A storage failure is logged at ERROR and
// told as such: temporarily_unavailable to the client (RFC 6749 §4.1.2.1),
// or the 503 page when the client could not even be loaded (fosite would
// say that it does not exist).
func (s *Server) authorizeError(c *gin.Context, ar fosite.AuthorizeRequester, err error) {
	if db.IsStorageFailure(err) {
		if !redirectValid(ar) {
			s.pageError(c, "error", storageFailure(err))
			return
		}
		s.Logger.ErrorContext(c.Request.Context(), "authorize: storage unavailable", "err", err)
		s.writeAuthorizeError(c, ar, fosite.ErrTemporarilyUnavailable.WithWrap(err))
		return
	}
	var rfc *fosite.RFC6749Error
	if !errors.As(fosite.ErrorToRFC6749Error(err), &rfc) {
		rfc = fosite.ErrServerError
	}
	if rfc.CodeField >= 500 {
		s.Logger.ErrorContext(c.Request.Context(), "authorize", "err", err, "debug", rfc.DebugField)
	}
	if redirectValid(ar) {
		s.writeAuthorizeError(c, ar, err)
		return
	}
	s.render(c, http.StatusBadRequest, "error", "error_title", errorView{
		Message: s.msg(c, "error_authorize"),
		Detail:  s.oauthErrorText(c, rfc),
		Code:    rfc.ErrorField,
		Status:  http.StatusBadRequest,
	})
}

// writeAuthorizeError redirects err to the client, in the query (the only
// response mode Sésame answers in), with iss.
func (s *Server) writeAuthorizeError(c *gin.Context, ar fosite.AuthorizeRequester, err error) {
	if req, ok := ar.(*fosite.AuthorizeRequest); ok {
		req.ResponseMode = fosite.ResponseModeQuery
	}
	s.OAuth.OAuth2.WriteAuthorizeError(c.Request.Context(), s.toClient(c), ar, err)
}

func isFirstParty(c fosite.Client) bool {
	fp, ok := c.(interface{ FirstParty() bool })
	return ok && fp.FirstParty()
}

func personOf(m account.Member) oauth.Person {
	return oauth.Person{Subject: m.ID, AccountID: m.AccountID, Email: m.Email, Name: m.Name}
}

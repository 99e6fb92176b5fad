package productkit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
)

// CSRFField is the name of the hidden form field carrying CSRFToken in the
// sign-out form (and any form the product checks with VerifyCSRF).
const CSRFField = "csrf"

// SignedOutPath is the path of the page Sésame sends the browser back to
// after sign-out, when WebAuthConfig.PostLogoutRedirectURL is not set: the
// product registers <base>/signed-out as its post-logout redirect URI.
const SignedOutPath = "/signed-out"

// CSRFToken returns the token that the product's forms carry in CSRFField,
// bound to the request's session (it changes at every sign-in), or "" when
// nobody is signed in. The sign-out form needs it:
//
//	<form method="post" action="{{.LogoutPath}}">
//	  <input type="hidden" name="csrf" value="{{.CSRF}}">
//	  <button type="submit">Se déconnecter</button>
//	</form>
func (w *WebAuth) CSRFToken(c *gin.Context) string {
	s, ok := w.load(c)
	if !ok {
		return ""
	}
	return w.csrfFor(s)
}

// VerifyCSRF reports whether the request's form carries the CSRFToken of
// its session.
func (w *WebAuth) VerifyCSRF(c *gin.Context) bool {
	s, ok := w.load(c)
	return ok && w.csrfMatches(s, c.PostForm(CSRFField))
}

func (w *WebAuth) csrfFor(s *session) string {
	m := hmac.New(sha256.New, w.csrfKey)
	m.Write([]byte("csrf\x00" + s.Identity.Sub + "\x00" + s.SID + "\x00" + strconv.FormatInt(s.Since, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (w *WebAuth) csrfMatches(s *session, token string) bool {
	return token != "" && hmac.Equal([]byte(token), []byte(w.csrfFor(s)))
}

// crossSite reports whether a browser says the request comes from another
// site (Origin or Sec-Fetch-Site).
func (w *WebAuth) crossSite(c *gin.Context) bool {
	site := c.GetHeader("Sec-Fetch-Site")
	origin := c.GetHeader("Origin")
	return (site != "" && site != "same-origin" && site != "none") || (origin != "" && origin != w.origin)
}

// logoutPage answers GET LogoutPath: a page asking to confirm with the
// sign-out form (a link must not sign anybody out).
func (w *WebAuth) logoutPage(c *gin.Context) {
	s, ok := w.load(c)
	if !ok {
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusSeeOther, w.cfg.AfterLogin)
		return
	}
	w.page(c, http.StatusOK, pageView{TitleKey: "signout_title", BodyKey: "signout_confirm", SignOut: w.csrfFor(s), Home: true})
}

// logout answers POST LogoutPath. With a session, the form must carry its
// CSRF token and come from the product's origin, or it is refused (403)
// and nothing happens. It then ends the local session (and records its
// sid as ended in the revocation store, so that a copy of the cookie is
// dead too), revokes the refresh token (best effort) and sends the
// browser to Sésame's end_session_endpoint with id_token_hint,
// post_logout_redirect_uri, client_id and state, so that Sésame's session
// ends too. Without a session (it expired), the browser still goes to
// Sésame, which then asks the person to confirm.
func (w *WebAuth) logout(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	ctx := c.Request.Context()
	var s session
	hasSession := w.jar.read(c.Request, w.sessionCookie(), &s) == nil
	if hasSession && (w.crossSite(c) || !w.csrfMatches(&s, c.PostForm(CSRFField))) {
		w.log.InfoContext(ctx, "productkit: sign-out without a valid CSRF token refused", "origin", c.GetHeader("Origin"))
		w.page(c, http.StatusForbidden, pageView{TitleKey: "forbidden_title", BodyKey: "signout_refused", Home: true})
		return
	}
	w.jar.clear(c.Writer, c.Request, w.sessionCookie())
	if hasSession && s.SID != "" && w.cfg.Revocations != nil {
		err := w.cfg.Revocations.Record(ctx, Event{Kind: SessionEnded, Sub: s.Identity.Sub, SID: s.SID, At: w.issuer.now()})
		if err != nil {
			w.log.WarnContext(ctx, "productkit: sign-out not recorded in the revocation store", "err", err)
		}
	}
	target := w.cfg.PostLogoutRedirectURL
	d, err := w.issuer.Discover(ctx)
	if err != nil {
		c.Redirect(http.StatusSeeOther, target)
		return
	}
	if hasSession && s.RefreshToken != "" && d.RevocationEndpoint != "" {
		w.revoke(ctx, d.RevocationEndpoint, s.RefreshToken)
	}
	if d.EndSessionEndpoint != "" {
		if u, err := url.Parse(d.EndSessionEndpoint); err == nil {
			q := u.Query()
			if hasSession && s.IDToken != "" {
				q.Set("id_token_hint", s.IDToken)
			}
			q.Set("post_logout_redirect_uri", w.cfg.PostLogoutRedirectURL)
			q.Set("client_id", w.cfg.ClientID)
			q.Set("state", randomToken())
			q.Set("ui_locales", Lang(c))
			u.RawQuery = q.Encode()
			target = u.String()
		}
	}
	c.Redirect(http.StatusSeeOther, target)
}

// signedOut serves the page Sésame sends the browser back to.
func (w *WebAuth) signedOut(c *gin.Context) {
	w.page(c, http.StatusOK, pageView{TitleKey: "signedout_title", BodyKey: "signedout_body", SignInHome: true})
}

package productkit

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// ACRSecondFactor is the acr Sésame puts in an ID token when the person
// passed a second factor at that sign-in (it lists it in
// acr_values_supported).
const ACRSecondFactor = "urn:sesame:mfa"

// stepUpParam is the query parameter of LoginPath asking for a step-up:
// the greatest age, in seconds, of the second factor.
const stepUpParam = "step_up"

// maxStepUp bounds the age a step-up may ask for.
const maxStepUp = 24 * time.Hour

// stepUpSkew tolerates Sésame's clock being a little ahead of the
// product's when the age of an authentication is computed.
const stepUpSkew = 30 * time.Second

// stepUpSeconds parses the step_up parameter; 0 when absent or invalid.
func stepUpSeconds(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > int64(maxStepUp/time.Second) {
		return 0
	}
	return n
}

// SecondFactor reports whether the request's session was authenticated
// with a second factor (acr ACRSecondFactor) at most maxAge ago. It needs
// Session or RequireSignIn before it.
func (w *WebAuth) SecondFactor(c *gin.Context, maxAge time.Duration) bool {
	s, ok := w.load(c)
	return ok && w.fresh(s, maxAge)
}

// fresh reports whether s carries a second factor at most maxAge old.
func (w *WebAuth) fresh(s *session, maxAge time.Duration) bool {
	if s.ACR != ACRSecondFactor || s.AuthTime <= 0 {
		return false
	}
	age := w.issuer.now().Sub(time.Unix(s.AuthTime, 0))
	return age <= maxAge && age >= -stepUpSkew
}

// steppedUp checks, at the callback of a step-up, that Sésame did it: the
// ID token's acr is ACRSecondFactor, its auth_time at most f.StepUp
// seconds old, and its subject the one who asked.
func (w *WebAuth) steppedUp(s *session, f flow) bool {
	if f.Sub != "" && s.Identity.Sub != f.Sub {
		return false
	}
	return w.fresh(s, time.Duration(f.StepUp)*time.Second+stepUpSkew)
}

// StepUpURL returns the path that asks Sésame for a second factor at most
// maxAge old, then comes back to next (a local path).
func (w *WebAuth) StepUpURL(next string, maxAge time.Duration) string {
	secs := int64(maxAge / time.Second)
	if secs < 1 {
		secs = 1
	}
	q := url.Values{stepUpParam: {strconv.FormatInt(secs, 10)}}
	if next = safeNext(next); next != "" {
		q.Set("next", next)
	}
	return w.cfg.LoginPath + "?" + q.Encode()
}

// RequireStepUp returns a middleware, placed after Session or
// RequireSignIn, for dangerous actions: it lets the request through only
// when the person signed in with a second factor at most maxAge ago, as
// the ID token of the sign-in says (acr ACRSecondFactor and auth_time).
//
// Otherwise a GET or HEAD is sent to sign in again at Sésame with
// acr_values=urn:sesame:mfa and max_age, then back to the same page;
// another method (a form's POST) is never replayed: it is answered 403
// with a page offering that confirmation, which comes back to the page
// the form was on (its Referer, when on the product) so that the person
// submits again. The callback refuses an ID token without the acr or with
// an older auth_time, whatever the request says.
func (w *WebAuth) RequireStepUp(maxAge time.Duration) gin.HandlerFunc {
	if maxAge <= 0 || maxAge > maxStepUp {
		panic("productkit: RequireStepUp: maxAge must be between 1 s and 24 h")
	}
	return func(c *gin.Context) {
		s, ok := w.load(c)
		if !ok {
			if !c.IsAborted() {
				browserAnswer{w}.unauthorized(c)
			}
			return
		}
		if w.fresh(s, maxAge) {
			c.Next()
			return
		}
		c.Header("Cache-Control", "no-store")
		if m := c.Request.Method; m == http.MethodGet || m == http.MethodHead {
			c.Redirect(http.StatusSeeOther, w.StepUpURL(c.Request.URL.RequestURI(), maxAge))
			c.Abort()
			return
		}
		w.page(c, http.StatusForbidden, pageView{TitleKey: "stepup_title", BodyKey: "stepup_body",
			StepUp: w.StepUpURL(w.localReferer(c), maxAge), Home: true})
	}
}

// localReferer returns the path of the request's Referer when it is a
// page of the product, AfterLogin otherwise.
func (w *WebAuth) localReferer(c *gin.Context) string {
	u, err := url.Parse(c.GetHeader("Referer"))
	if err != nil || u.Scheme+"://"+u.Host != w.origin {
		return w.cfg.AfterLogin
	}
	if p := safeNext(u.RequestURI()); p != "" {
		return p
	}
	return w.cfg.AfterLogin
}

// AMR returns the authentication methods (amr) of the session's sign-in,
// e.g. ["pwd"] or ["pwd", "otp", "mfa"].
func (w *WebAuth) AMR(c *gin.Context) []string {
	s, ok := w.load(c)
	if !ok {
		return nil
	}
	return slices.Clone(s.AMR)
}

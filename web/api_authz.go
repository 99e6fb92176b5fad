package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/oauth"
	"github.com/sesame-idp/sesame/rbac"
)

// maxBatch bounds the checks of one batch request.
const maxBatch = 100

type checkRequest struct {
	Sub       string `json:"sub"`
	AccountID string `json:"account_id"`
	Right     string `json:"right"`
	Resource  string `json:"resource"`
}

type checkResult struct {
	Allowed bool   `json:"allowed"`
	Error   string `json:"error,omitempty"`
}

// mountAuthzAPI adds the check API products call for live decisions:
// POST /api/v1/authz/check with a bearer token of a client holding scope
// sesame:authz, answering from the current policies.
func (s *Server) mountAuthzAPI(r gin.IRouter) {
	r.POST("/api/v1/authz/check", s.requireClientScope(oauth.ScopeAuthz), s.apiCheck)
	r.POST("/api/v1/authz/check/batch", s.requireClientScope(oauth.ScopeAuthz), s.apiCheckBatch)
}

// requireClientScope accepts a product's client-credentials access token
// granted scope.
func (s *Server) requireClientScope(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		auth := c.GetHeader("Authorization")
		if !strings.HasPrefix(auth, "Bearer ") {
			c.Header("WWW-Authenticate", `Bearer realm="sesame"`)
			c.AbortWithStatusJSON(http.StatusUnauthorized, apiError{Error: "unauthorized", Message: "A bearer access token is required."})
			return
		}
		_, ar, err := s.OAuth.OAuth2.IntrospectToken(c.Request.Context(), strings.TrimPrefix(auth, "Bearer "), fosite.AccessToken, oauth.NewSession())
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer error="invalid_token"`)
			c.AbortWithStatusJSON(http.StatusUnauthorized, apiError{Error: "invalid_token", Message: "The access token is invalid, expired or revoked."})
			return
		}
		// The check API answers about anyone: only a product acting for
		// itself (client credentials) may ask, never a person's token.
		if sess, ok := ar.GetSession().(*oauth.Session); !ok || sess.AccountID != "" {
			c.AbortWithStatusJSON(http.StatusForbidden, apiError{Error: "insufficient_scope", Message: "The check API takes a client-credentials token of a product, not a person's token."})
			return
		}
		if !ar.GetGrantedScopes().Has(scope) {
			c.Header("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+scope+`"`)
			c.AbortWithStatusJSON(http.StatusForbidden, apiError{Error: "insufficient_scope", Message: "The access token lacks the " + scope + " scope."})
			return
		}
		c.Set("client_id", ar.GetClient().GetID())
	}
}

func (s *Server) check(c *gin.Context, req checkRequest) (checkResult, int) {
	if req.Sub == "" || req.AccountID == "" || req.Right == "" {
		return checkResult{Error: `"sub", "account_id" and "right" are required`}, http.StatusBadRequest
	}
	if len(req.Sub) > 128 || len(req.AccountID) > 32 || len(req.Right) > 300 || len(req.Resource) > 255 {
		return checkResult{Error: "a field is too long"}, http.StatusBadRequest
	}
	ok, err := s.Rights.Allowed(c.Request.Context(), req.Sub, strings.ToLower(req.AccountID), req.Right, req.Resource)
	if err != nil {
		if isBadCheck(err) {
			return checkResult{Error: err.Error()}, http.StatusBadRequest
		}
		s.Logger.ErrorContext(c.Request.Context(), "check", "err", err)
		return checkResult{Error: "internal error"}, http.StatusInternalServerError
	}
	return checkResult{Allowed: ok}, http.StatusOK
}

func (s *Server) apiCheck(c *gin.Context) {
	var req checkRequest
	if !s.bindJSON(c, &req) {
		return
	}
	res, status := s.check(c, req)
	if status != http.StatusOK {
		c.AbortWithStatusJSON(status, apiError{Error: "invalid_request", Message: res.Error})
		return
	}
	c.JSON(http.StatusOK, res)
}

// apiCheckBatch answers up to maxBatch checks in one call:
// {"checks":[{…},{…}]} → {"results":[{"allowed":…},…]}, in order. A bad
// check gets its own error and does not fail the others.
func (s *Server) apiCheckBatch(c *gin.Context) {
	var body struct {
		Checks []checkRequest `json:"checks"`
	}
	if !s.bindJSON(c, &body) {
		return
	}
	if len(body.Checks) == 0 || len(body.Checks) > maxBatch {
		c.AbortWithStatusJSON(http.StatusBadRequest, apiError{Error: "invalid_request", Message: `"checks" must hold 1 to 100 checks`})
		return
	}
	results := make([]checkResult, len(body.Checks))
	for i, req := range body.Checks {
		res, status := s.check(c, req)
		if status == http.StatusInternalServerError {
			c.AbortWithStatusJSON(status, apiError{Error: "server_error", Message: "internal error"})
			return
		}
		results[i] = res
	}
	c.JSON(http.StatusOK, gin.H{"results": results})
}

// isBadCheck reports whether err is the caller's fault: an unknown or
// malformed right, resource, subject or account ID.
func isBadCheck(err error) bool {
	return errors.Is(err, rbac.ErrUnknownRight) || errors.Is(err, rbac.ErrInvalidRight) || errors.Is(err, rbac.ErrInvalidSubject)
}

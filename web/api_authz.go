package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/oauth"
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
	scope := s.api(s.requireClientScope(oauth.ScopeAuthz))
	r.POST("/api/v1/authz/check", scope, s.api(s.apiCheck))
	r.POST("/api/v1/authz/check/batch", scope, s.api(s.apiCheckBatch))
}

// requireClientScope accepts a product's client-credentials access token
// granted scope. Tokens are verified by the provider, which reads the
// database once per token rather than on every call.
func (s *Server) requireClientScope(scope string) handler {
	return func(c *gin.Context) error {
		auth := c.GetHeader("Authorization")
		if !strings.HasPrefix(auth, "Bearer ") {
			c.Header("WWW-Authenticate", `Bearer realm="sesame"`)
			return unauthorized("unauthorized", "api_bearer_required")
		}
		tok, err := s.OAuth.VerifyAccessToken(c.Request.Context(), strings.TrimPrefix(auth, "Bearer "))
		if err != nil {
			if cause := storageCause(err); cause != nil {
				return cause
			}
			c.Header("WWW-Authenticate", `Bearer error="invalid_token"`)
			return unauthorized("invalid_token", "api_invalid_token").wrap(err)
		}
		// The check API answers about anyone: only a product acting for
		// itself (client credentials) may ask, never a person's token.
		if tok.AccountID != "" {
			return forbidden("insufficient_scope", "api_client_token_only")
		}
		if !tok.HasScope(scope) {
			c.Header("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+scope+`"`)
			return forbidden("insufficient_scope", "api_insufficient_scope").with("Scope", scope)
		}
		return nil
	}
}

// check decides one request. Its error is the caller's (a 400 naming the
// problem) or the service's.
func (s *Server) check(c *gin.Context, req checkRequest) (bool, error) {
	if req.Sub == "" || req.AccountID == "" || req.Right == "" {
		return false, badRequest("invalid_request", "api_check_required")
	}
	if len(req.Sub) > 128 || len(req.AccountID) > 32 || len(req.Right) > 300 || len(req.Resource) > 255 {
		return false, badRequest("invalid_request", "api_check_too_long")
	}
	start := time.Now()
	ok, err := s.Rights.Allowed(c.Request.Context(), req.Sub, strings.ToLower(req.AccountID), req.Right, req.Resource)
	if err == nil {
		s.Metrics.Check(ok, time.Since(start))
	}
	return ok, err
}

func (s *Server) apiCheck(c *gin.Context) error {
	var req checkRequest
	if err := s.bindJSON(c, &req); err != nil {
		return err
	}
	ok, err := s.check(c, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, checkResult{Allowed: ok})
	return nil
}

// apiCheckBatch answers up to maxBatch checks in one call:
// {"checks":[{…},{…}]} → {"results":[{"allowed":…},…]}, in order. A bad
// check gets its own error message and does not fail the others; a
// failure of the service fails the call.
func (s *Server) apiCheckBatch(c *gin.Context) error {
	var body struct {
		Checks []checkRequest `json:"checks"`
	}
	if err := s.bindJSON(c, &body); err != nil {
		return err
	}
	if len(body.Checks) == 0 || len(body.Checks) > maxBatch {
		return badRequest("invalid_request", "api_check_batch_size").with("Max", maxBatch)
	}
	results := make([]checkResult, len(body.Checks))
	for i, req := range body.Checks {
		ok, err := s.check(c, req)
		if err != nil {
			e := s.classify(c, err)
			if e.Status != http.StatusBadRequest {
				return e
			}
			results[i].Error = s.apiMessage(c, e)
			continue
		}
		results[i].Allowed = ok
	}
	c.JSON(http.StatusOK, gin.H{"results": results})
	return nil
}

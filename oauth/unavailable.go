package oauth

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db"
)

// unavailable answers a protocol request whose storage failed, when err
// says so: 503 with the OAuth error temporarily_unavailable, logged at
// ERROR. It reports whether it answered. fosite reports storage failures
// as the caller's fault (a client it cannot load is an invalid_client, a
// token it cannot read an invalid one), as a bare server_error, or, at the
// introspection and revocation endpoints, as an inactive token or a
// success; it keeps the store's error as the cause, and the store keeps
// the driver's, which db.IsStorageFailure recognizes.
func (p *Provider) unavailable(c *gin.Context, endpoint string, err error) bool {
	if err == nil || !db.IsStorageFailure(err) {
		return false
	}
	p.log.ErrorContext(c.Request.Context(), "oauth: storage unavailable", "endpoint", endpoint, "err", err)
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.Header("Retry-After", "1")
	c.JSON(http.StatusServiceUnavailable, gin.H{
		"error":             fosite.ErrTemporarilyUnavailable.ErrorField,
		"error_description": "The service is temporarily unavailable. Try again in a moment.",
	})
	return true
}

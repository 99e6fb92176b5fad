package web

import (
	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"
)

// oauthErrorKeys are the messages that explain an OAuth error code to a
// person, in the page's language: the library's description is English
// and goes to the log only.
var oauthErrorKeys = map[string]string{
	"invalid_request":           "oauth_err_invalid_request",
	"invalid_client":            "oauth_err_invalid_client",
	"unauthorized_client":       "oauth_err_unauthorized_client",
	"access_denied":             "oauth_err_access_denied",
	"unsupported_response_type": "oauth_err_unsupported_response_type",
	"invalid_scope":             "oauth_err_invalid_scope",
	"server_error":              "oauth_err_server_error",
	"temporarily_unavailable":   "oauth_err_temporarily_unavailable",
	"request_not_supported":     "oauth_err_request_not_supported",
	"request_uri_not_supported": "oauth_err_request_not_supported",
	"login_required":            "oauth_err_login_required",
	"consent_required":          "oauth_err_consent_required",
	"interaction_required":      "oauth_err_login_required",
}

// oauthErrorText explains rfc to a person in the request's language.
func (s *Server) oauthErrorText(c *gin.Context, rfc *fosite.RFC6749Error) string {
	key, ok := oauthErrorKeys[rfc.ErrorField]
	if !ok {
		key = "oauth_err_other"
	}
	s.Logger.InfoContext(c.Request.Context(), "authorize refused", "error", rfc.ErrorField, "description", rfc.GetDescription(), "hint", rfc.HintField)
	return s.msg(c, key)
}

package productkit

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// answerer writes the refusals of Require in the style of the route: JSON
// for APIs (set by Guard.Middleware), pages for the browser (set by
// WebAuth's middlewares).
type answerer interface {
	unauthorized(c *gin.Context)
	forbidden(c *gin.Context, right, resource string)
	unavailable(c *gin.Context)
}

// answerOf returns the answerer the authenticating middleware chose, JSON
// by default.
func answerOf(c *gin.Context) answerer {
	if v, ok := c.Get(answerKey); ok {
		if a, ok := v.(answerer); ok {
			return a
		}
	}
	return apiAnswer{}
}

// ErrorBody is the JSON body of a refusal: {"error":"unauthorized"|
// "forbidden"|"unavailable","message":"…"}, plus the right and resource
// that were missing for "forbidden".
type ErrorBody struct {
	Error    string `json:"error"`
	Message  string `json:"message"`
	Right    string `json:"right,omitempty"`
	Resource string `json:"resource,omitempty"`
}

// apiAnswer answers in JSON.
type apiAnswer struct{}

func (apiAnswer) unauthorized(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusUnauthorized, ErrorBody{
		Error: "unauthorized", Message: text(Lang(c), "api_unauthorized"),
	})
}

func (apiAnswer) forbidden(c *gin.Context, right, resource string) {
	c.AbortWithStatusJSON(http.StatusForbidden, ErrorBody{
		Error: "forbidden", Message: text(Lang(c), "api_forbidden"), Right: right, Resource: resource,
	})
}

func (apiAnswer) unavailable(c *gin.Context) {
	c.Header("Retry-After", "5")
	c.AbortWithStatusJSON(http.StatusServiceUnavailable, ErrorBody{
		Error: "unavailable", Message: text(Lang(c), "api_unavailable"),
	})
}

// Lang returns the language to answer c in: "fr" unless the
// Accept-Language header prefers English to French.
func Lang(c *gin.Context) string {
	return langOf(c.GetHeader("Accept-Language"))
}

func langOf(header string) string {
	best, bestQ := "fr", -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if primary != "fr" && primary != "en" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		if q > bestQ && q > 0 {
			best, bestQ = primary, q
		}
	}
	return best
}

// Texts are short messages in French and English: key → {fr, en}. A
// product may keep its own words in one.
type Texts map[string][2]string

// In returns the message key in lang ("en" for English, French
// otherwise), or key itself when there is no such message.
func (t Texts) In(lang, key string) string {
	m, ok := t[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

// texts holds productkit's messages, French first.
var texts = Texts{
	"api_unauthorized":   {"Jeton d'accès manquant, invalide ou expiré.", "Missing, invalid or expired access token."},
	"api_forbidden":      {"Vous ne détenez pas le droit nécessaire.", "You do not hold the required right."},
	"api_unavailable":    {"Le service d'autorisation est momentanément indisponible.", "The authorization service is temporarily unavailable."},
	"forbidden_title":    {"Accès refusé", "Access denied"},
	"forbidden_body":     {"Il vous faut le droit suivant, que votre compte de connexion ne détient pas :", "You need the following right, which your login does not hold:"},
	"forbidden_on":       {"sur", "on"},
	"forbidden_help":     {"Demandez-le à la personne titulaire du compte.", "Ask the owner of the account for it."},
	"unauth_title":       {"Connexion nécessaire", "Sign-in required"},
	"unauth_body":        {"Connectez-vous pour continuer.", "Please sign in to continue."},
	"unavailable_title":  {"Service indisponible", "Service unavailable"},
	"unavailable_body":   {"Le service d'autorisation ne répond pas. Réessayez dans un instant.", "The authorization service does not answer. Please try again in a moment."},
	"signin_failed":      {"La connexion a échoué", "Sign-in failed"},
	"signin_failed_body": {"La connexion n'a pas pu aboutir. Vous pouvez réessayer.", "Signing in did not succeed. You may try again."},
	"signin_denied_body": {"La connexion a été refusée ou annulée.", "Signing in was refused or cancelled."},
	"signin":             {"Se connecter", "Sign in"},
	"retry":              {"Réessayer", "Try again"},
	"home":               {"Retour à l'accueil", "Back to the home page"},
	"signout":            {"Se déconnecter", "Sign out"},
	"origin_refused":     {"Cette requête ne vient pas de ce site ; elle a été refusée.", "This request does not come from this site; it was refused."},
	"signout_title":      {"Déconnexion", "Sign out"},
	"signout_confirm":    {"Voulez-vous vous déconnecter ?", "Do you want to sign out?"},
	"signout_refused":    {"Cette demande de déconnexion ne vient pas de ce site ; elle a été refusée. Utilisez le bouton « Se déconnecter » du site.", "This sign-out request does not come from this site; it was refused. Use the site's Sign out button."},
	"stepup_title":       {"Confirmation nécessaire", "Confirmation required"},
	"stepup_body":        {"Cette action demande de confirmer votre identité avec votre second facteur. Confirmez-la, puis recommencez l'action.", "This action requires confirming your identity with your second factor. Confirm it, then do the action again."},
	"stepup_confirm":     {"Confirmer mon identité", "Confirm my identity"},
	"stepup_failed_body": {"La confirmation par second facteur n'a pas abouti. Vous pouvez réessayer.", "Confirming with your second factor did not succeed. You may try again."},
	"signedout_title":    {"Session fermée", "You are signed out"},
	"signedout_body":     {"Votre session est fermée. Vous pouvez fermer cette page ou vous reconnecter.", "Your session is closed. You may close this page or sign in again."},
}

// text returns the message key in lang.
func text(lang, key string) string { return texts.In(lang, key) }

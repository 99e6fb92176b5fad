package productkit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Event types and token types of the tokens Sésame pushes.
const (
	// BackChannelLogoutEvent is the event of a logout token (OpenID
	// Connect Back-Channel Logout 1.0).
	BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"
	// ClaimsChangeEvent is the CAEP token-claims-change event of a
	// security event token (RFC 8417).
	ClaimsChangeEvent = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change"

	typLogout   = "logout+jwt"
	typSecEvent = "secevent+jwt"
)

// refusal is why a pushed token was refused: code is the error code
// answered ("invalid_request", "invalid_key", "invalid_issuer",
// "invalid_audience"), temporary when the product, not the token, is at
// fault (the sender should try again).
type refusal struct {
	code      string
	why       string
	temporary bool
}

func (r *refusal) Error() string { return "productkit: token refused: " + r.code + ": " + r.why }

func refuse(code, format string, args ...any) *refusal {
	return &refusal{code: code, why: fmt.Sprintf(format, args...)}
}

// pushedClaims are the claims common to logout tokens and security event
// tokens.
type pushedClaims struct {
	Iss    string                     `json:"iss"`
	Aud    json.RawMessage            `json:"aud"`
	Iat    *float64                   `json:"iat"`
	Exp    *float64                   `json:"exp"`
	JTI    string                     `json:"jti"`
	Sub    string                     `json:"sub"`
	SID    string                     `json:"sid"`
	SubID  *subjectID                 `json:"sub_id"`
	Events map[string]json.RawMessage `json:"events"`
}

// subjectID is an RFC 9493 subject identifier.
type subjectID struct {
	Format string `json:"format"`
	ID     string `json:"id"`
}

// verifiedPush is a pushed token that passed every check.
type verifiedPush struct {
	claims pushedClaims
	event  json.RawMessage // the value of the one event
	iat    time.Time
	exp    time.Time
}

// maxIDLength bounds sub, sid and jti.
const maxIDLength = 256

// verifyPushed checks raw, a token Sésame pushed: header (accepted
// algorithm, never "none" or HS*; typ), signature through the issuer's
// key set, iss, aud, iat (not in the future beyond skew), exp (not
// passed), jti present, no nonce, and events holding exactly event. It
// does not look at the jti store: the caller records the jti together with
// the event.
func (r *Receiver) verifyPushed(ctx context.Context, raw, typ, event string) (*verifiedPush, error) {
	if raw == "" || len(raw) > maxTokenSize {
		return nil, refuse("invalid_request", "token missing or too long")
	}
	if err := r.checkPushedHeader(raw, typ); err != nil {
		return nil, err
	}
	_, keys, err := r.issuer.load(ctx)
	if err != nil {
		return nil, &refusal{code: "temporarily_unavailable", why: err.Error(), temporary: true}
	}
	payload, err := keys.VerifySignature(ctx, raw)
	switch {
	case err == nil:
	case errors.Is(err, errKeysNotFresh):
		// Perhaps a key published a moment ago: Sésame will try again.
		return nil, &refusal{code: "temporarily_unavailable", why: err.Error(), temporary: true}
	case errors.Is(err, ErrMalformedToken):
		return nil, refuse("invalid_request", "%v", err)
	case errors.Is(err, errUnknownKey), errors.Is(err, errBadSignature):
		return nil, refuse("invalid_key", "%v", err)
	default:
		return nil, &refusal{code: "temporarily_unavailable", why: err.Error(), temporary: true}
	}
	var c pushedClaims
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&c); err != nil {
		return nil, refuse("invalid_request", "claims: %v", err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(payload, &all); err != nil {
		return nil, refuse("invalid_request", "claims: %v", err)
	}
	if _, ok := all["nonce"]; ok {
		return nil, refuse("invalid_request", "nonce present")
	}
	if c.Iss != r.issuer.url {
		return nil, refuse("invalid_issuer", "issuer %q", c.Iss)
	}
	if !audienceHas(c.Aud, r.clientID) {
		return nil, refuse("invalid_audience", "audience does not name this client")
	}
	now := r.issuer.now()
	if c.Iat == nil || c.Exp == nil || !finite(*c.Iat) || !finite(*c.Exp) {
		return nil, refuse("invalid_request", "iat or exp missing")
	}
	iat, exp := unixTime(*c.Iat), unixTime(*c.Exp)
	if iat.After(now.Add(r.skew)) {
		return nil, refuse("invalid_request", "issued in the future")
	}
	if !now.Before(exp) {
		return nil, refuse("invalid_request", "expired")
	}
	if c.JTI == "" || len(c.JTI) > maxIDLength || len(c.Sub) > maxIDLength || len(c.SID) > maxIDLength {
		return nil, refuse("invalid_request", "jti missing, or an identifier too long")
	}
	if len(c.Events) != 1 {
		return nil, refuse("invalid_request", "want exactly the event %s", event)
	}
	value, ok := c.Events[event]
	if !ok || !isJSONObject(value) {
		return nil, refuse("invalid_request", "want exactly the event %s", event)
	}
	return &verifiedPush{claims: c, event: value, iat: iat, exp: exp}, nil
}

// checkPushedHeader reads the JWS header only, before anything may cause
// a JWKS fetch: three parts, an accepted algorithm, the expected typ
// (with or without the "application/" prefix, RFC 7515 §4.1.9).
func (r *Receiver) checkPushedHeader(raw, typ string) error {
	h64, rest, ok := strings.Cut(raw, ".")
	if !ok || strings.Count(rest, ".") != 1 {
		return refuse("invalid_request", "want a signed JWT in compact form")
	}
	hj, err := base64.RawURLEncoding.DecodeString(h64)
	if err != nil {
		return refuse("invalid_request", "header encoding")
	}
	var h struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}
	if err := json.Unmarshal(hj, &h); err != nil {
		return refuse("invalid_request", "header: %v", err)
	}
	if !slices.Contains(r.issuer.algs, h.Alg) {
		return refuse("invalid_request", "algorithm %q not accepted", h.Alg)
	}
	got := strings.ToLower(h.Typ)
	if got != typ && got != "application/"+typ {
		return refuse("invalid_request", "typ %q, want %q", h.Typ, typ)
	}
	return nil
}

// audienceHas reports whether aud, a string or an array of strings,
// holds clientID.
func audienceHas(aud json.RawMessage, clientID string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == clientID
	}
	var many []string
	if json.Unmarshal(aud, &many) == nil {
		return slices.Contains(many, clientID)
	}
	return false
}

func isJSONObject(v json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(v, &m) == nil && m != nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) && f > 0 && f < 1<<40 }

func unixTime(f float64) time.Time { return time.Unix(int64(f), 0) }

// logoutEvent turns a verified logout token into the event to record:
// with a sid, that session ended; with only a sub, every session and
// token of that person until the token's iat.
func logoutEvent(v *verifiedPush) (Event, error) {
	c := v.claims
	e := Event{Sub: c.Sub, SID: c.SID, At: v.iat, JTI: c.JTI}
	switch {
	case c.SID != "":
		e.Kind = SessionEnded
	case c.Sub != "":
		e.Kind = SubjectEnded
	default:
		return Event{}, refuse("invalid_request", "neither sub nor sid")
	}
	return e, nil
}

// claimsChange is the value of a CAEP token-claims-change event as Sésame
// sends it.
type claimsChange struct {
	EventTimestamp *float64 `json:"event_timestamp"`
	Claims         *struct {
		Rights *[]string `json:"rights"`
	} `json:"claims"`
}

// claimsEvent turns a verified security event token into the event to
// record.
func (r *Receiver) claimsEvent(v *verifiedPush) (Event, error) {
	c := v.claims
	if c.SubID == nil || c.SubID.Format != "opaque" || c.SubID.ID == "" || len(c.SubID.ID) > maxIDLength {
		return Event{}, refuse("invalid_request", "sub_id must be an opaque subject identifier")
	}
	var ch claimsChange
	if err := json.Unmarshal(v.event, &ch); err != nil {
		return Event{}, refuse("invalid_request", "event: %v", err)
	}
	if ch.EventTimestamp == nil || !finite(*ch.EventTimestamp) || ch.Claims == nil || ch.Claims.Rights == nil {
		return Event{}, refuse("invalid_request", "event_timestamp or claims.rights missing")
	}
	at := unixTime(*ch.EventTimestamp)
	if at.After(r.issuer.now().Add(r.skew)) {
		return Event{}, refuse("invalid_request", "event_timestamp in the future")
	}
	return Event{Kind: ClaimsChanged, Sub: c.SubID.ID, At: at, Rights: *ch.Claims.Rights, JTI: c.JTI}, nil
}

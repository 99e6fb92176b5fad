package productkit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Paths at which Mount serves the receivers, under the product's base
// URL: the product registers <base>/backchannel-logout as its
// backchannel_logout_uri and <base>/events as its events_uri at Sésame.
const (
	BackChannelLogoutPath = "/backchannel-logout"
	EventsPath            = "/events"
)

// ReceiverConfig configures a Receiver.
type ReceiverConfig struct {
	// Issuer is Sésame. Required.
	Issuer *Issuer
	// ClientID is the product's client ID at Sésame: the audience of the
	// tokens it receives. Required.
	ClientID string
	// Store records what the tokens say. Required; WebAuth and Guard of
	// the product must use the same store.
	Store RevocationStore
	// Skew is how far in the future a token's iat may be. Defaults to
	// 60 s.
	Skew time.Duration
	// Logger receives what happened (never a token). Defaults to
	// slog.Default().
	Logger *slog.Logger
}

// Receiver receives what Sésame pushes to a product: logout tokens
// (OpenID Connect Back-Channel Logout 1.0) when a person's session ends,
// and security event tokens (RFC 8417, pushed as in RFC 8935) carrying the
// CAEP token-claims-change event when a person's rights change. It
// verifies each token fully and records its event in the store, where
// WebAuth and Guard see it.
type Receiver struct {
	issuer   *Issuer
	clientID string
	store    RevocationStore
	skew     time.Duration
	log      *slog.Logger
}

// NewReceiver checks cfg and returns a Receiver. It does not contact
// Sésame.
func NewReceiver(cfg ReceiverConfig) (*Receiver, error) {
	if cfg.Issuer == nil || cfg.ClientID == "" || cfg.Store == nil {
		return nil, errors.New("productkit: a receiver needs an issuer, a client ID and a revocation store")
	}
	if cfg.Skew <= 0 {
		cfg.Skew = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Receiver{issuer: cfg.Issuer, clientID: cfg.ClientID, store: cfg.Store, skew: cfg.Skew, log: cfg.Logger}, nil
}

// Mount serves BackChannelLogout at POST BackChannelLogoutPath and Events
// at POST EventsPath. They must stay outside any sign-in or same-origin
// middleware: Sésame calls them server to server.
func (r *Receiver) Mount(router gin.IRouter) {
	router.POST(BackChannelLogoutPath, gin.WrapH(r.BackChannelLogout()))
	router.POST(EventsPath, gin.WrapH(r.Events()))
}

// maxPushBody bounds the bodies the receivers read.
const maxPushBody = 64 << 10

// BackChannelLogout returns the back-channel logout endpoint: POST,
// form field logout_token. A valid token answers 200 (Cache-Control:
// no-store) and ends the session it names (sid), or every session and
// older token of the person (sub alone); anything else answers 400
// {"error":"invalid_request",...} and changes nothing, or 503 when the
// product cannot check or record it now (the sender tries again).
func (r *Receiver) BackChannelLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writePushError(w, http.StatusMethodNotAllowed, "error", "error_description", "invalid_request", "POST only")
			return
		}
		req.Body = http.MaxBytesReader(w, req.Body, maxPushBody)
		if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" || req.ParseForm() != nil {
			writePushError(w, http.StatusBadRequest, "error", "error_description", "invalid_request", "want a form with logout_token")
			return
		}
		if len(req.PostForm["logout_token"]) != 1 {
			writePushError(w, http.StatusBadRequest, "error", "error_description", "invalid_request", "want one logout_token")
			return
		}
		err := r.receive(req.Context(), req.PostForm.Get("logout_token"), typLogout, BackChannelLogoutEvent, func(v *verifiedPush) (Event, error) {
			return logoutEvent(v)
		})
		if err != nil {
			status, code, why := r.answer(req.Context(), "logout token", err)
			writePushError(w, status, "error", "error_description", code, why)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// Events returns the push endpoint of security event tokens (RFC 8935):
// POST, Content-Type application/secevent+jwt, the token as the body. A
// valid token carrying a CAEP token-claims-change event answers 202 and
// records the person's new rights; anything else answers 400
// {"err":"…","description":"…"} (RFC 8935 §2.3) and changes nothing, or
// 503 when the product cannot check or record it now.
func (r *Receiver) Events() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writePushError(w, http.StatusMethodNotAllowed, "err", "description", "invalid_request", "POST only")
			return
		}
		if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/secevent+jwt" {
			writePushError(w, http.StatusBadRequest, "err", "description", "invalid_request", "want Content-Type application/secevent+jwt")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxPushBody))
		if err != nil {
			writePushError(w, http.StatusBadRequest, "err", "description", "invalid_request", "body too large or unreadable")
			return
		}
		err = r.receive(req.Context(), strings.TrimSpace(string(body)), typSecEvent, ClaimsChangeEvent, r.claimsEvent)
		if err != nil {
			status, code, why := r.answer(req.Context(), "security event token", err)
			writePushError(w, status, "err", "description", code, why)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
}

// receive verifies raw, turns it into an event and records it with its
// jti. A token whose jti is already recorded was applied when it first
// came: Sésame sends it again when it could not record the first
// delivery, so it is acknowledged again and changes nothing.
func (r *Receiver) receive(ctx context.Context, raw, typ, eventType string, toEvent func(*verifiedPush) (Event, error)) error {
	v, err := r.verifyPushed(ctx, raw, typ, eventType)
	if err != nil {
		return err
	}
	e, err := toEvent(v)
	if err != nil {
		return err
	}
	// The jti is remembered past the token's expiry, skew included.
	e.JTIUntil = v.exp.Add(r.skew)
	if err := r.store.Record(ctx, e); err != nil {
		if errors.Is(err, ErrReplay) {
			r.log.InfoContext(ctx, "productkit: token already applied; acknowledged again", "kind", e.Kind)
			return nil
		}
		return &refusal{code: "temporarily_unavailable", why: err.Error(), temporary: true}
	}
	r.log.InfoContext(ctx, "productkit: revocation recorded", "kind", e.Kind, "sub", e.Sub, "sid_set", e.SID != "",
		"at", e.At.UTC().Format(time.RFC3339))
	return nil
}

// answer maps a refusal to a status, a code and a description, and logs
// it. The description stays generic: the details go to the log only.
func (r *Receiver) answer(ctx context.Context, what string, err error) (int, string, string) {
	var rf *refusal
	if !errors.As(err, &rf) {
		rf = &refusal{code: "temporarily_unavailable", why: err.Error(), temporary: true}
	}
	if rf.temporary {
		r.log.WarnContext(ctx, "productkit: cannot process a "+what+" now", "err", rf.why)
		return http.StatusServiceUnavailable, rf.code, "the product cannot process the token now; try again later"
	}
	r.log.InfoContext(ctx, "productkit: "+what+" refused", "code", rf.code, "why", rf.why)
	return http.StatusBadRequest, rf.code, "the token was refused"
}

// writePushError writes {errKey: code, descKey: description}.
func writePushError(w http.ResponseWriter, status int, errKey, descKey, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{errKey: code, descKey: description})
}

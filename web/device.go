package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
)

// Device cookies: after each successful sign-in the browser gets a signed
// cookie naming the sign-in's subject (its email and scope, hashed) and a
// random id. Presented again for the same subject, it lets the attempt
// count on the device's own counter rather than the email's, so that
// someone guessing the person's password elsewhere cannot lock them out
// of the browser they use (OWASP's "device cookies").
const (
	devicePurpose = "device cookie"
	// maxDevices bounds the subjects one browser remembers (several
	// people, or one person in several accounts).
	maxDevices   = 5
	deviceMaxAge = 180 * 24 * time.Hour
)

// deviceCookie names the device cookie, __Host- prefixed over https.
func (s *Server) deviceCookie() string {
	if s.secure {
		return "__Host-sesame_device"
	}
	return "sesame_device"
}

// deviceEntry is one subject the browser signed in as, and its id.
type deviceEntry struct{ subject, id string }

// deviceMAC signs an entry with key.
func deviceMAC(key []byte, e deviceEntry) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(e.subject + "." + e.id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// devices returns the entries of the browser's device cookie whose
// signature one of the secrets checks, newest first.
func (s *Server) devices(c *gin.Context) []deviceEntry {
	raw, err := c.Cookie(s.deviceCookie())
	if err != nil || raw == "" || len(raw) > 4096 {
		return nil
	}
	keys := s.Secrets.Keys(devicePurpose)
	var out []deviceEntry
	for _, part := range strings.Split(raw, "~") {
		f := strings.Split(part, ".")
		if len(f) != 3 {
			continue
		}
		e := deviceEntry{subject: f[0], id: f[1]}
		for _, k := range keys {
			if hmac.Equal([]byte(deviceMAC(k, e)), []byte(f[2])) {
				out = append(out, e)
				break
			}
		}
		if len(out) == maxDevices {
			break
		}
	}
	return out
}

// device returns what the browser's device cookie vouches for subject,
// or no device.
func (s *Server) device(c *gin.Context, subject string) account.Device {
	for _, e := range s.devices(c) {
		if e.subject == subject {
			return account.Device{Subject: e.subject, ID: e.id}
		}
	}
	return account.Device{}
}

// rememberDevice sets the device cookie after a successful sign-in as
// subject: the subject's entry (with its id, or a new one) comes first,
// then the others the browser held, up to maxDevices, signed again with
// the current secret.
func (s *Server) rememberDevice(c *gin.Context, subject string) {
	held := s.devices(c)
	mine := deviceEntry{subject: subject}
	entries := []deviceEntry{}
	for _, e := range held {
		if e.subject == subject {
			mine.id = e.id
		} else if len(entries) < maxDevices-1 {
			entries = append(entries, e)
		}
	}
	if mine.id == "" {
		b := make([]byte, 16)
		rand.Read(b)
		mine.id = base64.RawURLEncoding.EncodeToString(b)
	}
	entries = append([]deviceEntry{mine}, entries...)
	key := s.Secrets.Key(devicePurpose)
	parts := make([]string, len(entries))
	for i, e := range entries {
		parts[i] = e.subject + "." + e.id + "." + deviceMAC(key, e)
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     s.deviceCookie(),
		Value:    strings.Join(parts, "~"),
		Path:     "/",
		MaxAge:   int(deviceMaxAge.Seconds()),
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// setRetryAfter sets the Retry-After header (whole seconds, at least one)
// of a throttled sign-in from the error that refused it.
func setRetryAfter(c *gin.Context, err error) {
	secs := int64(60)
	var te *account.ThrottledError
	if errors.As(err, &te) {
		secs = int64((te.RetryAfter + time.Second - 1) / time.Second)
	}
	c.Header("Retry-After", strconv.FormatInt(max(secs, 1), 10))
}

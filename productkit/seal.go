package productkit

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// MinCookieSecret is the shortest cookie secret accepted, in bytes.
const MinCookieSecret = 32

// errBadCookie means a cookie was absent, forged, expired or for another
// purpose.
var errBadCookie = errors.New("productkit: invalid cookie")

// sealer encrypts and authenticates cookie values with AES-256-GCM. The
// cookie's name is the additional data, so a value sealed for one cookie
// cannot be replayed as another.
type sealer struct {
	aead cipher.AEAD
	now  func() time.Time
}

func newSealer(secret []byte, now func() time.Time) (*sealer, error) {
	if len(secret) < MinCookieSecret {
		return nil, fmt.Errorf("productkit: the cookie secret must be at least %d bytes", MinCookieSecret)
	}
	key, err := hkdf.Key(sha256.New, secret, nil, "productkit cookie v1", 32)
	if err != nil {
		return nil, fmt.Errorf("productkit: derive cookie key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("productkit: cookie cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("productkit: cookie cipher: %w", err)
	}
	return &sealer{aead: aead, now: now}, nil
}

// envelope carries the expiry inside the sealed value: a stolen cookie
// cannot be made to live longer by editing its Max-Age.
type envelope struct {
	Exp  int64           `json:"exp"`
	Data json.RawMessage `json:"d"`
}

// seal returns v, valid until exp, sealed for the cookie name.
func (s *sealer) seal(name string, v any, exp time.Time) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("productkit: seal %s: %w", name, err)
	}
	plain, _ := json.Marshal(envelope{Exp: exp.Unix(), Data: data})
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(name))), nil
}

// open unseals value into v.
func (s *sealer) open(name, value string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errBadCookie
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(name))
	if err != nil {
		return errBadCookie
	}
	var env envelope
	if err := json.Unmarshal(plain, &env); err != nil {
		return errBadCookie
	}
	if s.now().Unix() >= env.Exp {
		return errBadCookie
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		return errBadCookie
	}
	return nil
}

// cookieJar writes and reads sealed values that may not fit one cookie:
// a value is split into chunks name.0, name.1, … of at most chunkSize
// bytes (browsers drop cookies over 4 KiB).
type cookieJar struct {
	sealer *sealer
	secure bool
}

const (
	chunkSize = 3800
	maxChunks = 6
)

// write stores v under name until exp, and deletes chunks a previous,
// longer value left.
func (j *cookieJar) write(w http.ResponseWriter, r *http.Request, name string, v any, exp time.Time) error {
	value, err := j.sealer.seal(name, v, exp)
	if err != nil {
		return err
	}
	if len(value) > chunkSize*maxChunks {
		return fmt.Errorf("productkit: cookie %s too large (%d bytes)", name, len(value))
	}
	maxAge := max(int(exp.Sub(j.sealer.now()).Seconds()), 1)
	i := 0
	for ; len(value) > 0; i++ {
		n := min(chunkSize, len(value))
		j.set(w, chunkName(name, i), value[:n], maxAge)
		value = value[n:]
	}
	for ; i < maxChunks; i++ {
		if _, err := r.Cookie(chunkName(name, i)); err == nil {
			j.set(w, chunkName(name, i), "", -1)
		}
	}
	return nil
}

// read opens the value stored under name into v.
func (j *cookieJar) read(r *http.Request, name string, v any) error {
	var value string
	for i := 0; i < maxChunks; i++ {
		c, err := r.Cookie(chunkName(name, i))
		if err != nil {
			break
		}
		value += c.Value
	}
	if value == "" {
		return errBadCookie
	}
	return j.sealer.open(name, value, v)
}

// clear deletes every chunk of name the request carries.
func (j *cookieJar) clear(w http.ResponseWriter, r *http.Request, name string) {
	for i := 0; i < maxChunks; i++ {
		if _, err := r.Cookie(chunkName(name, i)); err == nil {
			j.set(w, chunkName(name, i), "", -1)
		}
	}
}

func (j *cookieJar) set(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   j.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

func chunkName(name string, i int) string { return name + "." + strconv.Itoa(i) }

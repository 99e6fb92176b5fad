package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// MinLength is the shortest secret accepted, in bytes.
const MinLength = 32

// Ring holds the operator's secrets, current first.
type Ring struct {
	secrets [][]byte
}

// Parse reads a comma-separated list of secrets (SESAME_SECRETS).
func Parse(list string) (*Ring, error) {
	var r Ring
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if len(s) < MinLength {
			return nil, fmt.Errorf("secret: each secret must be at least %d characters long", MinLength)
		}
		r.secrets = append(r.secrets, []byte(s))
	}
	if len(r.secrets) == 0 {
		return nil, errors.New("secret: no secret given")
	}
	return &r, nil
}

// Generate returns a new random secret suitable for SESAME_SECRETS.
func Generate() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Key derives a 32-byte key for purpose from the current secret.
func (r *Ring) Key(purpose string) []byte { return derive(r.secrets[0], purpose) }

// Keys derives a key for purpose from every secret, current first.
func (r *Ring) Keys(purpose string) [][]byte {
	keys := make([][]byte, len(r.secrets))
	for i, s := range r.secrets {
		keys[i] = derive(s, purpose)
	}
	return keys
}

func derive(secret []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, "sesame "+purpose, 32)
	if err != nil {
		panic(err) // only for lengths HKDF cannot produce
	}
	return k
}

// ErrOpen means that no secret of the ring opens a sealed value.
var ErrOpen = errors.New("secret: cannot open sealed value (wrong or rotated-out secret?)")

// Seal encrypts and authenticates plaintext with the current secret's key
// for purpose, returning base64url text.
func (r *Ring) Seal(purpose string, plaintext []byte) string {
	aead := newAEAD(r.Key(purpose))
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plaintext, []byte(purpose)))
}

// Open reverses Seal, trying every secret of the ring.
func (r *Ring) Open(purpose, sealed string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return nil, ErrOpen
	}
	for _, k := range r.Keys(purpose) {
		aead := newAEAD(k)
		if len(raw) < aead.NonceSize() {
			return nil, ErrOpen
		}
		if pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(purpose)); err == nil {
			return pt, nil
		}
	}
	return nil, ErrOpen
}

func newAEAD(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // key is always 32 bytes
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

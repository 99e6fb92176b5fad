package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/ory/fosite"
)

// MinSecretLength is the shortest client secret CreateClient stores. An
// unsalted SHA-256 is only safe for secrets too random to guess, such as
// those of NewClientSecret (43 characters).
const MinSecretLength = 32

// SHA256Hasher hashes client secrets with SHA-256, for
// fosite.Config.ClientSecretsHasher. Secrets are random (NewClientSecret),
// so a slow password hash would only cost time: bcrypt at fosite's default
// cost takes about 230 ms a token request.
type SHA256Hasher struct{}

var _ fosite.Hasher = SHA256Hasher{}

var errSecretMismatch = errors.New("sqlstore: client secret does not match")

// Hash returns the hex SHA-256 of data.
func (SHA256Hasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	return []byte(hashSecret(string(data))), nil
}

// Compare returns nil when hash is the hex SHA-256 of data, comparing in
// constant time. An empty hash (a public client) matches nothing.
func (SHA256Hasher) Compare(_ context.Context, hash, data []byte) error {
	if len(hash) == 0 {
		return errSecretMismatch
	}
	if subtle.ConstantTimeCompare(hash, []byte(hashSecret(string(data)))) != 1 {
		return errSecretMismatch
	}
	return nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewClientSecret returns a new client secret: 256 random bits, base64url
// without padding (43 characters).
func NewClientSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("sqlstore: client secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

package testpasskey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator holds one passkey, made by Create and used by Get.
type Authenticator struct {
	// Origin is the page's origin the browser reports, e.g.
	// "http://localhost:8080".
	Origin string
	// Synced sets the backup-eligible flag: a passkey copied across
	// devices (amr "swk") rather than bound to one ("hwk").
	Synced bool
	// Counter is the signature counter; each Get increments it first
	// unless it is zero (synced passkeys keep it at zero).
	Counter uint32

	key        *ecdsa.PrivateKey
	id         []byte
	userHandle []byte
}

// New returns an authenticator for pages of origin.
func New(origin string) *Authenticator {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	return &Authenticator{Origin: origin, key: key, id: id}
}

var b64 = base64.RawURLEncoding

type options struct {
	Challenge string `json:"challenge"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	RPID string `json:"rpId"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
}

func parse(raw string) (options, error) {
	var o options
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return o, fmt.Errorf("testpasskey: options: %w", err)
	}
	if o.Challenge == "" {
		return o, fmt.Errorf("testpasskey: options without a challenge")
	}
	return o, nil
}

// Create answers creation options (JSON, as Sésame puts them in the page)
// with the credential a browser would send back (JSON).
func (a *Authenticator) Create(optionsJSON string) (string, error) {
	o, err := parse(optionsJSON)
	if err != nil {
		return "", err
	}
	if a.userHandle, err = b64.DecodeString(o.User.ID); err != nil {
		return "", fmt.Errorf("testpasskey: user id: %w", err)
	}
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pad32(a.key.X.Bytes()), -3: pad32(a.key.Y.Bytes())})
	if err != nil {
		return "", err
	}
	auth := a.authData(o.RP.ID, 0x40)
	auth = binary.BigEndian.AppendUint16(append(auth, make([]byte, 16)...), uint16(len(a.id)))
	auth = append(append(auth, a.id...), cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		return "", err
	}
	return a.answer(map[string]any{
		"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", o.Challenge)),
		"attestationObject": b64.EncodeToString(att),
		"transports":        []string{"internal"},
	})
}

// Get answers request options (JSON) with the assertion a browser would
// send back (JSON), signed by the passkey.
func (a *Authenticator) Get(optionsJSON string) (string, error) {
	o, err := parse(optionsJSON)
	if err != nil {
		return "", err
	}
	if a.Counter > 0 {
		a.Counter++
	}
	auth := a.authData(o.RPID, 0)
	client := a.clientData("webauthn.get", o.Challenge)
	sum := sha256.Sum256(client)
	digest := sha256.Sum256(append(append([]byte{}, auth...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		return "", err
	}
	return a.answer(map[string]any{
		"clientDataJSON":    b64.EncodeToString(client),
		"authenticatorData": b64.EncodeToString(auth),
		"signature":         b64.EncodeToString(sig),
		"userHandle":        b64.EncodeToString(a.userHandle),
	})
}

// authData starts authenticator data for rpID: its hash, the flags (user
// present and verified, backup-eligible when synced, plus extra) and the
// counter.
func (a *Authenticator) authData(rpID string, extra byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	flags := byte(0x01|0x04) | extra
	if a.Synced {
		flags |= 0x08 | 0x10
	}
	return binary.BigEndian.AppendUint32(append(h[:], flags), a.Counter)
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

func (a *Authenticator) answer(response map[string]any) (string, error) {
	b, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{}, "response": response,
	})
	return string(b), err
}

func pad32(b []byte) []byte {
	out := make([]byte, 32)
	copy(out[32-len(b):], b)
	return out
}

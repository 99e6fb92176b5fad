package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// The argon2id parameters of new hashes: OWASP's first recommendation
// (19 MiB, 2 passes, 1 lane), a 16-byte salt and a 32-byte key.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// HashCost is the argon2id work of the hashes a PasswordHasher makes. It
// is written into each hash, so Verify needs no cost of its own.
type HashCost struct {
	MemoryKiB uint32 // m: memory in KiB, at least 8 per lane
	Time      uint32 // t: passes over the memory
	Threads   uint8  // p: lanes
}

// Bounds on the parameters Verify accepts from a stored string, so that a
// corrupt or hostile row cannot make one sign-in allocate gigabytes.
const (
	maxMemoryKiB = 256 * 1024
	maxTime      = 16
	maxThreads   = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 128
)

// ErrMalformedHash is the error of Verify for a string that is not an
// argon2id PHC string within bounds.
var ErrMalformedHash = errors.New("account: malformed password hash")

// PasswordHasher hashes and verifies passwords with argon2id. Each hash
// takes about 19 MiB and 25 ms of one core, so a semaphore bounds how many
// run at once; callers beyond the bound wait, or give up when their
// context ends. It is safe for concurrent use.
type PasswordHasher struct {
	cost    HashCost
	sem     chan struct{}
	waiting atomic.Int64
}

// NewPasswordHasher returns a hasher that runs at most maxConcurrent
// hashes at once; maxConcurrent <= 0 means runtime.GOMAXPROCS(0). Its
// hashes cost what Sésame always uses: m=19 MiB, t=2, p=1.
func NewPasswordHasher(maxConcurrent int) *PasswordHasher {
	return NewPasswordHasherCost(maxConcurrent, HashCost{MemoryKiB: argonMemoryKiB, Time: argonTime, Threads: argonThreads})
}

// NewPasswordHasherCost is NewPasswordHasher with another cost for new
// hashes. Tests use it to make real argon2id hashes at a tiny cost; no
// setting of Sésame leads to it. It panics when cost is outside the bounds
// Verify accepts, since such hashes could never be verified.
func NewPasswordHasherCost(maxConcurrent int, cost HashCost) *PasswordHasher {
	if cost.Time < 1 || cost.Time > maxTime || cost.Threads < 1 || cost.Threads > maxThreads ||
		cost.MemoryKiB < 8*uint32(cost.Threads) || cost.MemoryKiB > maxMemoryKiB {
		panic(fmt.Sprintf("account: argon2id cost %+v out of bounds", cost))
	}
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	return &PasswordHasher{cost: cost, sem: make(chan struct{}, maxConcurrent)}
}

// Cost returns the cost of the hashes h makes.
func (h *PasswordHasher) Cost() HashCost { return h.cost }

// MaxConcurrent returns how many hashes may run at once.
func (h *PasswordHasher) MaxConcurrent() int { return cap(h.sem) }

// Waiting returns how many callers are waiting for a slot right now: a
// gauge for monitoring (a queue that stays long means sign-ins outpace
// the cores).
func (h *PasswordHasher) Waiting() int { return int(h.waiting.Load()) }

// acquire takes a slot of the semaphore, or fails when ctx ends first.
func (h *PasswordHasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	default:
	}
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *PasswordHasher) release() { <-h.sem }

// Hash returns the PHC string of password under a fresh random salt:
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (unpadded standard
// base64; m, t and p are h's cost). The password is normalised to Unicode NFC first, so that the
// same characters typed on different systems give the same hash.
func (h *PasswordHasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt) // never fails (crypto/rand panics rather)
	if err := h.acquire(ctx); err != nil {
		return "", fmt.Errorf("account: hash password: %w", err)
	}
	c := h.cost
	key := argon2.IDKey([]byte(norm.NFC.String(password)), salt, c.Time, c.MemoryKiB, c.Threads, argonKeyLen)
	h.release()
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.MemoryKiB, c.Time, c.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded, a PHC string as Hash
// writes it; the parameters are read from the string, so hashes made with
// older parameters keep working. The comparison takes constant time. A
// string that is not a well-formed argon2id hash within sane bounds is an
// error, never a match.
func (h *PasswordHasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	p, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, fmt.Errorf("account: verify password: %w", err)
	}
	key := argon2.IDKey([]byte(norm.NFC.String(password)), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	h.release()
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// NeedsRehash reports whether encoded was made with other parameters than
// h's (or is malformed), so that a successful sign-in should store a new
// hash.
func (h *PasswordHasher) NeedsRehash(encoded string) bool {
	p, err := parsePHC(encoded)
	return err != nil || p.memory != h.cost.MemoryKiB || p.time != h.cost.Time || p.threads != h.cost.Threads ||
		len(p.salt) != argonSaltLen || len(p.key) != argonKeyLen
}

type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// parsePHC parses "$argon2id$v=19$m=M,t=T,p=P$salt$key".
func parsePHC(s string) (phc, error) {
	var p phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, ErrMalformedHash
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return p, ErrMalformedHash
	}
	m, okM := param(params[0], "m=", maxMemoryKiB)
	t, okT := param(params[1], "t=", maxTime)
	th, okP := param(params[2], "p=", maxThreads)
	if !okM || !okT || !okP || t < 1 || th < 1 || m < 8*th {
		return p, ErrMalformedHash
	}
	salt, errS := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	key, errK := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if errS != nil || errK != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, ErrMalformedHash
	}
	return phc{memory: m, time: t, threads: uint8(th), salt: salt, key: key}, nil
}

// param reads "name=N" with N a decimal in [0, max] without sign or
// leading zeros.
func param(s, name string, max uint32) (uint32, bool) {
	v, ok := strings.CutPrefix(s, name)
	if !ok || v == "" || (len(v) > 1 && v[0] == '0') || v[0] == '+' || v[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n > uint64(max) {
		return 0, false
	}
	return uint32(n), true
}

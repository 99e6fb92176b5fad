package account

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/internal/testclock"
)

// zeroReader yields zero bytes: every random account ID it feeds is the
// smallest of its width, so successive accounts collide.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// clock is the tests' settable time.
type clock = testclock.Clock

func newClock() *clock { return testclock.New(time.Date(2026, 11, 2, 9, 30, 0, 123456000, time.UTC)) }

// testCost is the argon2id cost of the tests' hashes: real argon2id
// strings that any hasher verifies, at a thousandth of the work (argon2id
// at Sésame's cost was most of these tests' time). The hasher's own tests
// and the benchmarks use the real cost.
var testCost = HashCost{MemoryKiB: 8, Time: 1, Threads: 1}

// sharedHasher keeps tests from each paying for a dummy hash of their own;
// the bound is the default.
var sharedHasher = NewPasswordHasherCost(0, testCost)

// phcPatternOf matches the hashes a hasher of cost c makes.
func phcPatternOf(c HashCost) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`^\$argon2id\$v=19\$m=%d,t=%d,p=%d\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, c.MemoryKiB, c.Time, c.Threads))
}

// newTestService returns a service on d with a fresh clock and the given
// options completed.
func newTestService(t testing.TB, d *db.DB, opts Options) (*Service, *clock) {
	t.Helper()
	c := newClock()
	if opts.Now == nil {
		opts.Now = c.Now
	}
	if opts.Hasher == nil {
		opts.Hasher = sharedHasher
	}
	return NewService(d, opts), c
}

// mustCreateAccount creates an account or fails the test.
func mustCreateAccount(t testing.TB, s *Service, name, email, password string) (Account, Member) {
	t.Helper()
	a, m, err := s.CreateAccount(context.Background(), name, email, "", password)
	if err != nil {
		t.Fatalf("CreateAccount(%s): %v", email, err)
	}
	return a, m
}

var (
	hashesMu sync.Mutex
	hashes   = map[hashKey]string{}
)

type hashKey struct {
	cost     HashCost
	password string
}

// hashOnce hashes each fixture password once per cost for the whole test
// binary, with a hasher of that cost: a shared salt between tests'
// members does no harm.
func hashOnce(t testing.TB, h *PasswordHasher, password string) string {
	t.Helper()
	hashesMu.Lock()
	defer hashesMu.Unlock()
	k := hashKey{h.Cost(), password}
	if enc, ok := hashes[k]; ok {
		return enc
	}
	enc, err := h.Hash(context.Background(), password)
	if err != nil {
		t.Fatal(err)
	}
	hashes[k] = enc
	return enc
}

// mustAddMember inserts a login account with a password (or none when
// password is empty) or fails the test.
func mustAddMember(t testing.TB, s *Service, accountID, email, password string, status Status) Member {
	t.Helper()
	ctx := context.Background()
	hash := ""
	if password != "" {
		hash = hashOnce(t, s.Hasher(), password)
	}
	m, err := s.CreateMember(ctx, accountID, email, "", status, hash)
	if err != nil {
		t.Fatalf("CreateMember(%s, %s): %v", accountID, email, err)
	}
	return m
}

// actions returns the audit actions of an account's trail, oldest first.
func actions(t testing.TB, d *db.DB, accountID string) []audit.Event {
	t.Helper()
	events, err := audit.New(d).List(context.Background(), accountID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
		events[i], events[j] = events[j], events[i]
	}
	return events
}

// hashWith returns the base64 key argon2id derives with explicit
// parameters, to build hashes as older releases wrote them.
func hashWith(password, salt string, time, memory uint32, threads uint8, keyLen uint32) (string, error) {
	return base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte(password), []byte(salt), time, memory, threads, keyLen)), nil
}

// whileHasherBusy runs fn while every slot of h is taken (the caller took
// them) and cancels fn's context as soon as fn waits for a slot. It
// returns fn's error: context.Canceled when fn went to hash, anything else
// when it returned without hashing.
func whileHasherBusy(t testing.TB, h *PasswordHasher, fn func(ctx context.Context) error) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case err := <-done:
			return err
		case <-timeout:
			t.Fatal("fn neither returned nor waited for the hasher")
		default:
		}
		if h.Waiting() > 0 {
			cancel()
			return <-done
		}
		time.Sleep(time.Millisecond)
	}
}

package account

import (
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHasherRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := NewPasswordHasher(2)
	tests := []struct{ name, password string }{
		{"ascii", "Xk7#mP2q"},
		{"unicode", "Пароль-№7-Жук"},
		{"long", strings.Repeat("Le chat dort sur le 4e toit bleu ; ", 30)[:MaxPasswordBytes]},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := h.Hash(ctx, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if !phcPattern.MatchString(enc) {
				t.Fatalf("Hash = %q, not an argon2id PHC string with OWASP parameters", enc)
			}
			if ok, err := h.Verify(ctx, enc, tt.password); !ok || err != nil {
				t.Fatalf("Verify(right password) = %v, %v", ok, err)
			}
			if ok, err := h.Verify(ctx, enc, tt.password+"x"); ok || err != nil {
				t.Fatalf("Verify(wrong password) = %v, %v", ok, err)
			}
			again, _ := h.Hash(ctx, tt.password)
			if again == enc {
				t.Fatal("two hashes of one password are equal: the salt is not random")
			}
			if h.NeedsRehash(enc) {
				t.Fatal("NeedsRehash of a fresh hash")
			}
		})
	}
}

// TestHasherNormalisesUnicode checks that "é" typed as one code point or
// as "e" and a combining accent verifies against the same hash.
func TestHasherNormalisesUnicode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := NewPasswordHasherCost(1, testCost)
	enc, err := h.Hash(ctx, "Caf\u00e9-2026!")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(ctx, enc, "Cafe\u0301-2026!"); !ok || err != nil {
		t.Fatalf("Verify(decomposed form) = %v, %v; want true", ok, err)
	}
}

// TestHasherReadsParameters verifies a hash made with other parameters
// (as older releases or other tools write them).
func TestHasherReadsParameters(t *testing.T) {
	t.Parallel()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("Xk7#mP2q"), salt, 3, 8*1024, 2, 24)
	enc := "$argon2id$v=19$m=8192,t=3,p=2$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
	h := NewPasswordHasher(1)
	if ok, err := h.Verify(context.Background(), enc, "Xk7#mP2q"); !ok || err != nil {
		t.Fatalf("Verify = %v, %v; want true", ok, err)
	}
	if !h.NeedsRehash(enc) {
		t.Fatal("NeedsRehash(old parameters) = false")
	}
}

// TestHasherCost: a hasher of another cost writes it into its hashes,
// which the default hasher verifies and wants to rehash, and the other
// way round; a cost Verify would refuse is refused at once.
func TestHasherCost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	def, cheap := NewPasswordHasher(1), NewPasswordHasherCost(1, testCost)
	if got, want := def.Cost(), (HashCost{MemoryKiB: 19456, Time: 2, Threads: 1}); got != want {
		t.Fatalf("default cost = %+v, want %+v", got, want)
	}
	for _, tt := range []struct {
		name       string
		maker, by  *PasswordHasher
		makerCost  HashCost
		wantRehash bool
	}{
		{"cheap hash, default hasher", cheap, def, testCost, true},
		{"default hash, cheap hasher", def, cheap, def.Cost(), true},
		{"cheap hash, cheap hasher", cheap, NewPasswordHasherCost(1, testCost), testCost, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := tt.maker.Hash(ctx, "Xk7#mP2q")
			if err != nil {
				t.Fatal(err)
			}
			if !phcPatternOf(tt.makerCost).MatchString(enc) {
				t.Fatalf("Hash = %q, want cost %+v", enc, tt.makerCost)
			}
			if ok, err := tt.by.Verify(ctx, enc, "Xk7#mP2q"); !ok || err != nil {
				t.Fatalf("Verify(right password) = %v, %v", ok, err)
			}
			if ok, err := tt.by.Verify(ctx, enc, "Xk7#mP2r"); ok || err != nil {
				t.Fatalf("Verify(wrong password) = %v, %v", ok, err)
			}
			if got := tt.by.NeedsRehash(enc); got != tt.wantRehash {
				t.Fatalf("NeedsRehash = %v, want %v", got, tt.wantRehash)
			}
		})
	}
	for _, c := range []HashCost{
		{MemoryKiB: 8, Time: 0, Threads: 1},
		{MemoryKiB: 8, Time: 1, Threads: 0},
		{MemoryKiB: 15, Time: 1, Threads: 2},
		{MemoryKiB: 512 * 1024, Time: 1, Threads: 1},
		{MemoryKiB: 8, Time: 17, Threads: 1},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewPasswordHasherCost(%+v) did not panic", c)
				}
			}()
			NewPasswordHasherCost(1, c)
		}()
	}
}

func TestHasherRejectsMalformed(t *testing.T) {
	t.Parallel()
	good, err := NewPasswordHasher(1).Hash(context.Background(), "Xk7#mP2q")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct{ name, enc string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", with(1, "argon2i")},
		{"version 16", with(2, "v=16")},
		{"missing part", strings.Join(parts[:5], "$")},
		{"extra part", good + "$x"},
		{"no leading dollar", strings.TrimPrefix(good, "$")},
		{"huge memory", with(3, "m=4194304,t=2,p=1")},
		{"zero time", with(3, "m=19456,t=0,p=1")},
		{"zero lanes", with(3, "m=19456,t=2,p=0")},
		{"many lanes", with(3, "m=19456,t=2,p=255")},
		{"memory below 8 per lane", with(3, "m=8,t=2,p=2")},
		{"reordered parameters", with(3, "t=2,m=19456,p=1")},
		{"negative", with(3, "m=-1,t=2,p=1")},
		{"leading zero", with(3, "m=019456,t=2,p=1")},
		{"missing parameter", with(3, "m=19456,t=2")},
		{"salt not base64", with(4, "!!!!!!!!")},
		{"padded salt", with(4, parts[4]+"==")},
		{"short salt", with(4, "YWJj")},
		{"short key", with(5, "YWJjZGVmZ2g")},
		{"empty key", with(5, "")},
	}
	h := NewPasswordHasher(1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := h.Verify(context.Background(), tt.enc, "Xk7#mP2q")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("Verify(%q) = %v, %v; want false, ErrMalformedHash", tt.enc, ok, err)
			}
			if !h.NeedsRehash(tt.enc) {
				t.Fatalf("NeedsRehash(%q) = false", tt.enc)
			}
		})
	}
}

// TestHasherBound fills every slot of the semaphore and checks that one
// more hash waits, gives up with its context, and runs once a slot frees.
func TestHasherBound(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3} {
		h := NewPasswordHasherCost(n, testCost)
		if h.MaxConcurrent() != n {
			t.Fatalf("MaxConcurrent = %d, want %d", h.MaxConcurrent(), n)
		}
		ctx := context.Background()
		for range n {
			if err := h.acquire(ctx); err != nil {
				t.Fatal(err)
			}
		}
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		_, err := h.Hash(short, "Xk7#mP2q")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("bound %d: Hash with every slot taken = %v, want DeadlineExceeded", n, err)
		}
		_, err = h.Verify(short, "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", "x")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("bound %d: Verify with every slot taken = %v, want DeadlineExceeded", n, err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := h.Hash(ctx, "Xk7#mP2q")
			done <- err
		}()
		h.release()
		if err := <-done; err != nil {
			t.Fatalf("bound %d: Hash after a slot freed = %v", n, err)
		}
		for range n - 1 {
			h.release()
		}
	}
	if got := NewPasswordHasher(0).MaxConcurrent(); got < 1 {
		t.Fatalf("default bound = %d", got)
	}
}

// TestHasherConcurrent runs more hashes than slots at once: all finish
// and verify, and the semaphore is empty afterwards.
func TestHasherConcurrent(t *testing.T) {
	t.Parallel()
	h := NewPasswordHasherCost(2, testCost)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			enc, err := h.Hash(ctx, "Xk7#mP2q")
			if err == nil {
				var ok bool
				if ok, err = h.Verify(ctx, enc, "Xk7#mP2q"); err == nil && !ok {
					err = errors.New("no match")
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(h.sem) != 0 {
		t.Fatalf("%d slots still taken", len(h.sem))
	}
}

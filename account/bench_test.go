package account

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// reportMS adds the mean time of an iteration in milliseconds.
func reportMS(b *testing.B, start time.Time) {
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/op")
}

func BenchmarkHash(b *testing.B) {
	h := NewPasswordHasher(0)
	ctx := context.Background()
	start := time.Now()
	for b.Loop() {
		if _, err := h.Hash(ctx, "Xk7#mP2q-bench"); err != nil {
			b.Fatal(err)
		}
	}
	reportMS(b, start)
}

// BenchmarkHashParallel hashes from many goroutines: throughput is capped
// by the semaphore (GOMAXPROCS hashes at once), not by memory.
func BenchmarkHashParallel(b *testing.B) {
	h := NewPasswordHasher(0)
	ctx := context.Background()
	start := time.Now()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := h.Hash(ctx, "Xk7#mP2q-bench"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportMS(b, start)
}

func BenchmarkAuthenticate(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			d := engine.open(b)
			s, _ := newTestService(b, d, Options{Now: time.Now, Hasher: NewPasswordHasher(0), Throttle: ThrottleConfig{MaxPerEmail: -1, MaxPerIP: -1}})
			a, _ := mustCreateAccount(b, s, "Acme", "alice@example.com", pwAlice)
			mustAddMember(b, s, a.ID, "erin@example.com", pwErin, StatusActive)
			ctx := context.Background()
			cases := []struct {
				name string
				c    Credentials
				err  error
			}{
				{"owner ok", Credentials{Email: "alice@example.com", Password: pwAlice, IP: "192.0.2.1"}, nil},
				{"member ok", Credentials{Email: "erin@example.com", Password: pwErin, AccountID: a.ID, IP: "192.0.2.1"}, nil},
				{"wrong password", Credentials{Email: "alice@example.com", Password: "wrong", IP: "192.0.2.1"}, ErrInvalidCredentials},
				{"unknown email", Credentials{Email: "nobody@example.com", Password: "wrong", IP: "192.0.2.1"}, ErrInvalidCredentials},
				{"unknown account", Credentials{Email: "erin@example.com", Password: "wrong", AccountID: "id999999", IP: "192.0.2.1"}, ErrInvalidCredentials},
			}
			for _, tc := range cases {
				b.Run(tc.name, func(b *testing.B) {
					start := time.Now()
					for b.Loop() {
						if _, err := s.Authenticate(ctx, tc.c); err != tc.err { //nolint:errorlint // exactly this value
							b.Fatalf("Authenticate = %v, want %v", err, tc.err)
						}
					}
					reportMS(b, start)
				})
			}
		})
	}
}

// BenchmarkAuthenticateFailureKinds interleaves the kinds of failed
// sign-in, one of each per iteration, and reports the median of each in
// milliseconds: they should not differ beyond noise.
func BenchmarkAuthenticateFailureKinds(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			d := engine.open(b)
			s, _ := newTestService(b, d, Options{Now: time.Now, Hasher: NewPasswordHasher(0), Throttle: ThrottleConfig{MaxPerEmail: -1, MaxPerIP: -1}})
			a, _ := mustCreateAccount(b, s, "Acme", "alice@example.com", pwAlice)
			mustAddMember(b, s, a.ID, "erin@example.com", pwErin, StatusActive)
			mustAddMember(b, s, a.ID, "dave@example.com", pwDave, StatusDisabled)
			kinds := []struct {
				name string
				c    Credentials
			}{
				{"wrong-password", Credentials{Email: "alice@example.com", Password: "wrong"}},
				{"unknown-email", Credentials{Email: "nobody@example.com", Password: "wrong"}},
				{"unknown-account", Credentials{Email: "erin@example.com", Password: "wrong", AccountID: "id999999"}},
				{"not-a-member", Credentials{Email: "nobody@example.com", Password: "wrong", AccountID: a.ID}},
				{"disabled", Credentials{Email: "dave@example.com", Password: pwDave, AccountID: a.ID}},
			}
			times := make([][]time.Duration, len(kinds))
			ctx := context.Background()
			for b.Loop() {
				for i, k := range kinds {
					start := time.Now()
					if _, err := s.Authenticate(ctx, k.c); err != ErrInvalidCredentials { //nolint:errorlint // exactly this value
						b.Fatalf("%s: %v", k.name, err)
					}
					times[i] = append(times[i], time.Since(start))
				}
			}
			for i, k := range kinds {
				slices.Sort(times[i])
				b.ReportMetric(float64(times[i][len(times[i])/2].Microseconds())/1000, k.name+"-ms")
			}
		})
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	for _, p := range []struct{ name, password string }{
		{"short", "Xk7#mP2q"},
		{"passphrase", "Nous irons au bois, 3 fois !"},
		{"1024 bytes", strings.Repeat("Le chat dort sur le 4e toit bleu ; ", 30)[:MaxPasswordBytes]},
	} {
		b.Run(p.name, func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				CheckPasswordFor(p.password, "jean.dupont@exemple.fr", "Jean Dupont")
			}
			reportMS(b, start)
		})
	}
}

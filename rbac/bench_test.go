package rbac

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// membersPerAccount is the number of login accounts of a benchmark account.
const membersPerAccount = 10

// memberRights are the grant sets of benchmark login accounts (the default
// templates, and one narrowed to a domain of the account).
var memberRights = [][]string{
	{"domain:read", "domain:dns", "email:read"},
	{"billing:read", "billing:pay"},
	{"server:read", "server:operate"},
	{"domain:read", "domain:dns:site-%d.cm"},
}

// accountRules returns the rules of benchmark account i: an owner and ten
// login accounts with two or three rights each (~28 rules).
func accountRules(i int) (account string, p, g [][]string) {
	account = fmt.Sprintf("id%06d", i)
	g = append(g, []string{account + "-owner", ownerRole, account})
	p = append(p, []string{ownerRole, account, anyResource, "*", ""})
	for m := range membersPerAccount {
		member := fmt.Sprintf("%s-m%d", account, m)
		for _, right := range memberRights[m%len(memberRights)] {
			if strings.Contains(right, "%d") {
				right = fmt.Sprintf(right, i)
			}
			r, err := ParseRight(right)
			if err != nil {
				panic(err)
			}
			obj := anyResource
			if r.Resource != "" {
				obj = r.Resource
			}
			p = append(p, []string{member, account, obj, r.Key(), ""})
		}
	}
	return account, p, g
}

// check is one benchmark request.
type benchCheck struct{ member, account, right, resource string }

// randomCheck picks a member of account i (or its owner) and a right.
func randomCheck(rng *rand.Rand, i int) benchCheck {
	account := fmt.Sprintf("id%06d", i)
	member := account + "-owner"
	if m := rng.IntN(membersPerAccount + 1); m < membersPerAccount {
		member = fmt.Sprintf("%s-m%d", account, m)
	}
	c := catalog[rng.IntN(len(catalog))]
	res := ""
	if c.Narrowable && rng.IntN(2) == 0 {
		res = fmt.Sprintf("site-%d.cm", i)
	}
	return benchCheck{member, account, c.Right, res}
}

// loadAccounts stores accounts [0, n) with multi-row INSERTs.
func loadAccounts(b *testing.B, d *db.DB, n int) {
	b.Helper()
	ctx := context.Background()
	for start := 0; start < n; start += 100 {
		err := d.InTx(ctx, func(ctx context.Context) error {
			for i := start; i < min(start+100, n); i++ {
				_, p, g := accountRules(i)
				if _, err := insertRules(ctx, d, "p", p); err != nil {
					return err
				}
				if _, err := insertRules(ctx, d, "g", g); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAllowedWarm measures the live check on a cached account
// enforcer (an owner and ten login accounts, ~28 rules).
func BenchmarkAllowedWarm(b *testing.B) {
	d := dbtest.SQLite(b)
	loadAccounts(b, d, 1)
	s := newService(b, d, Options{})
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	checks := make([]benchCheck, 1024)
	for i := range checks {
		checks[i] = randomCheck(rng, 0)
	}
	if _, err := s.Allowed(ctx, checks[0].member, checks[0].account, checks[0].right, ""); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := checks[i%len(checks)]
		if _, err := s.Allowed(ctx, c.member, c.account, c.right, c.resource); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAllowedWarmParallel is BenchmarkAllowedWarm from every core on
// the same account enforcer.
func BenchmarkAllowedWarmParallel(b *testing.B) {
	d := dbtest.SQLite(b)
	loadAccounts(b, d, 1)
	s := newService(b, d, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
		for pb.Next() {
			c := randomCheck(rng, 0)
			if _, err := s.Allowed(ctx, c.member, c.account, c.right, c.resource); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAllowedCold measures a check that must first load the account
// (one indexed query and a new enforcer), on SQLite and PostgreSQL.
func BenchmarkAllowedCold(b *testing.B) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			d := engine.open(b)
			loadAccounts(b, d, 100)
			s := newService(b, d, Options{})
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				c := randomCheck(rng, rng.IntN(100))
				s.Invalidate(c.account)
				if _, err := s.Allowed(ctx, c.member, c.account, c.right, c.resource); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCacheMemory reports the heap held per cached account enforcer.
func BenchmarkCacheMemory(b *testing.B) {
	const n = 2000
	d := dbtest.SQLite(b)
	loadAccounts(b, d, n)
	for b.Loop() {
		s := newService(b, d, Options{CacheSize: n})
		b.ReportMetric(float64(cacheBytes(b, s, n))/n, "B/account")
	}
}

// cacheBytes loads accounts [0, n) into s and returns the heap growth.
func cacheBytes(b *testing.B, s *Service, n int) uint64 {
	b.Helper()
	ctx := context.Background()
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range n {
		c := randomCheck(rng, i)
		if _, err := s.Allowed(ctx, c.member, c.account, c.right, c.resource); err != nil {
			b.Fatal(err)
		}
	}
	after := heap()
	if s.cache.Len() != n {
		b.Fatalf("cache holds %d accounts, want %d", s.cache.Len(), n)
	}
	return after - before
}

// BenchmarkAllowedLarge loads 100,000 accounts of ten login accounts each
// (~2.8 million rules) into PostgreSQL and measures checks of random
// accounts, cold (loaded from the database) and warm (cached). It runs
// only with SESAME_BENCH_LARGE=1 and SESAME_TEST_DATABASE_URL set; the
// load takes about a minute.
func BenchmarkAllowedLarge(b *testing.B) {
	if os.Getenv("SESAME_BENCH_LARGE") == "" {
		b.Skip("set SESAME_BENCH_LARGE=1 to run")
	}
	const accounts = 100_000
	d := dbtest.Postgres(b)
	start := time.Now()
	rows := copyAccounts(b, d, accounts)
	if _, err := d.Exec(`ANALYZE casbin_rule`); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d rules of %d accounts in %v", rows, accounts, time.Since(start).Round(time.Second))

	ctx := context.Background()
	measure := func(b *testing.B, s *Service, pick func(*rand.Rand) benchCheck, cold bool) {
		rng := rand.New(rand.NewPCG(5, 6))
		var took []time.Duration
		b.ReportAllocs()
		for b.Loop() {
			c := pick(rng)
			if cold {
				s.Invalidate(c.account)
			}
			t0 := time.Now()
			if _, err := s.Allowed(ctx, c.member, c.account, c.right, c.resource); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(t0))
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns")
	}
	b.Run("cold", func(b *testing.B) {
		s := newService(b, d, Options{})
		measure(b, s, func(rng *rand.Rand) benchCheck { return randomCheck(rng, rng.IntN(accounts)) }, true)
	})
	b.Run("warm", func(b *testing.B) {
		const hot = DefaultCacheSize
		s := newService(b, d, Options{CacheSize: hot})
		perAccount := float64(cacheBytes(b, s, hot)) / hot
		measure(b, s, func(rng *rand.Rand) benchCheck { return randomCheck(rng, rng.IntN(hot)) }, false)
		b.ReportMetric(perAccount, "B/account")
	})
}

// copyAccounts stores accounts [0, n) with COPY and returns the row count.
func copyAccounts(b *testing.B, d *db.DB, n int) int {
	b.Helper()
	var rows int
	// COPY needs the driver's own transaction.
	err := func() error {
		tx, err := d.DB.BeginTxx(context.Background(), nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		stmt, err := tx.Prepare(`COPY casbin_rule (ptype, v0, v1, v2, v3, v4, v5) FROM STDIN`)
		if err != nil {
			return err
		}
		for i := range n {
			_, p, g := accountRules(i)
			for _, set := range []struct {
				ptype string
				rules [][]string
			}{{"p", p}, {"g", g}} {
				for _, r := range set.rules {
					v, _ := padRule(r)
					if _, err := stmt.Exec(set.ptype, v[0], v[1], v[2], v[3], v[4], v[5]); err != nil {
						return err
					}
					rows++
				}
			}
		}
		if _, err := stmt.Exec(); err != nil {
			return err
		}
		if err := stmt.Close(); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if err != nil {
		b.Fatal(err)
	}
	return rows
}

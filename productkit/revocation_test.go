package productkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	_ "github.com/lib/pq"
)

// storeFactory makes stores that share one backing state (one table, or
// one map): store(0) and store(1) are two instances of one product.
type storeFactory func(t *testing.T, clk *clock) func(instance int) RevocationStore

func memoryStores(t *testing.T, clk *clock) func(int) RevocationStore {
	s := NewMemoryRevocations(0, clk.Now)
	return func(int) RevocationStore { return s }
}

// testDB opens the PostgreSQL of SESAME_TEST_DATABASE_URL, or skips.
func testDB(t testing.TB) *sql.DB {
	t.Helper()
	url := os.Getenv("SESAME_TEST_DATABASE_URL")
	if url == "" || !hasPrefix(url, "postgres") {
		t.Skip("SESAME_TEST_DATABASE_URL is not a PostgreSQL URL")
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// testSchema creates a schema of its own for the test and returns the
// qualified name of a revocations table in it.
func testSchema(t testing.TB, db *sql.DB) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "pk_test_" + hex.EncodeToString(b)
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
	return schema + ".revocations"
}

func postgresStores(t *testing.T, clk *clock) func(int) RevocationStore {
	db := testDB(t)
	table := testSchema(t, db)
	stores := map[int]RevocationStore{}
	return func(i int) RevocationStore {
		if s, ok := stores[i]; ok {
			return s
		}
		s, err := NewPostgresRevocations(context.Background(), PostgresConfig{DB: db, Table: table, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = s
		return s
	}
}

// TestRevocationStores runs one suite against every implementation.
func TestRevocationStores(t *testing.T) {
	for name, factory := range map[string]storeFactory{"memory": memoryStores, "postgres": postgresStores} {
		t.Run(name, func(t *testing.T) { revocationSuite(t, factory) })
	}
}

func revocationSuite(t *testing.T, factory storeFactory) {
	ctx := context.Background()
	t.Run("records and looks up", func(t *testing.T) {
		clk := newClock()
		store := factory(t, clk)
		a, b := store(0), store(1)
		t0 := clk.Now().Truncate(time.Second)
		if r, err := a.Lookup(ctx, "alice", "sid-1"); err != nil || !r.SessionEndedAt.IsZero() || !r.SubjectEndedAt.IsZero() || !r.ClaimsChangedAt.IsZero() {
			t.Fatalf("empty store: %+v %v", r, err)
		}
		must(t, a.Record(ctx, Event{Kind: SessionEnded, Sub: "alice", SID: "sid-1", At: t0, JTI: "j1", JTIUntil: t0.Add(3 * time.Minute)}))
		must(t, a.Record(ctx, Event{Kind: SubjectEnded, Sub: "bob", At: t0, JTI: "j2", JTIUntil: t0.Add(3 * time.Minute)}))
		must(t, a.Record(ctx, Event{Kind: ClaimsChanged, Sub: "carol", At: t0, Rights: []string{"domain:read"}, JTI: "j3", JTIUntil: t0.Add(3 * time.Minute)}))
		must(t, a.Record(ctx, Event{Kind: ClaimsChanged, Sub: "dave", At: t0, Rights: []string{}}))
		clk.Advance(300 * time.Millisecond) // past any cache of the other instance

		for _, s := range []RevocationStore{a, b} {
			r, _ := s.Lookup(ctx, "alice", "sid-1")
			if !r.SessionEndedAt.Equal(t0) || !r.SessionOver(t0.Add(-time.Hour)) {
				t.Fatalf("ended sid: %+v", r)
			}
			if r, _ := s.Lookup(ctx, "alice", "sid-2"); r.SessionOver(t0.Add(-time.Hour)) || !r.SessionEndedAt.IsZero() {
				t.Fatalf("other sid of alice: %+v", r)
			}
			r, _ = s.Lookup(ctx, "bob", "any")
			if !r.SubjectEndedAt.Equal(t0) || !r.SessionOver(t0) || r.SessionOver(t0.Add(time.Second)) {
				t.Fatalf("ended sub: %+v", r)
			}
			if !r.TokenRefused(t0.Add(-time.Minute), nil) || r.TokenRefused(t0.Add(time.Second), nil) {
				t.Fatalf("tokens of an ended sub: %+v", r)
			}
			r, _ = s.Lookup(ctx, "carol", "")
			if !r.ClaimsChangedAt.Equal(t0) || !slices.Equal(r.Rights, []string{"domain:read"}) || !r.RightsStale(t0) || r.RightsStale(t0.Add(time.Second)) {
				t.Fatalf("claims change: %+v", r)
			}
			if r.SessionOver(t0.Add(-time.Hour)) {
				t.Fatalf("a claims change ends no session: %+v", r)
			}
			r, _ = s.Lookup(ctx, "dave", "")
			if r.Rights == nil || len(r.Rights) != 0 || !r.RightsStale(t0) {
				t.Fatalf("claims change to no rights: %+v", r)
			}
		}
	})

	t.Run("jti is accepted once, on every instance", func(t *testing.T) {
		clk := newClock()
		store := factory(t, clk)
		t0 := clk.Now()
		e := Event{Kind: SessionEnded, SID: "sid-9", At: t0, JTI: "jti-once", JTIUntil: t0.Add(3 * time.Minute)}
		must(t, store(0).Record(ctx, e))
		replay := e
		replay.SID = "sid-10"
		for i := range 2 {
			if err := store(i).Record(ctx, replay); !errors.Is(err, ErrReplay) {
				t.Fatalf("instance %d: replay = %v, want ErrReplay", i, err)
			}
		}
		clk.Advance(time.Second)
		if r, _ := store(1).Lookup(ctx, "", "sid-10"); !r.SessionEndedAt.IsZero() {
			t.Fatalf("a replay changed the store: %+v", r)
		}
	})

	t.Run("a jti delivered at once to several instances passes once", func(t *testing.T) {
		clk := newClock()
		store := factory(t, clk)
		t0 := clk.Now()
		e := Event{Kind: SubjectEnded, Sub: "zed", At: t0, JTI: "jti-race", JTIUntil: t0.Add(3 * time.Minute)}
		instances := []RevocationStore{store(0), store(1)}
		errs := make(chan error, 10)
		for i := range 10 {
			go func() { errs <- instances[i%2].Record(ctx, e) }()
		}
		passed := 0
		for range 10 {
			switch err := <-errs; {
			case err == nil:
				passed++
			case !errors.Is(err, ErrReplay):
				t.Fatal(err)
			}
		}
		if passed != 1 {
			t.Fatalf("%d deliveries passed, want 1", passed)
		}
	})

	t.Run("the newest event wins", func(t *testing.T) {
		clk := newClock()
		store := factory(t, clk)
		t0 := clk.Now().Truncate(time.Second)
		must(t, store(0).Record(ctx, Event{Kind: ClaimsChanged, Sub: "erin", At: t0, Rights: []string{"a:b"}}))
		must(t, store(0).Record(ctx, Event{Kind: ClaimsChanged, Sub: "erin", At: t0.Add(-time.Minute), Rights: []string{"old:one"}}))
		must(t, store(1).Record(ctx, Event{Kind: SubjectEnded, Sub: "erin", At: t0}))
		must(t, store(1).Record(ctx, Event{Kind: SubjectEnded, Sub: "erin", At: t0.Add(-time.Hour)}))
		clk.Advance(time.Second)
		r, _ := store(0).Lookup(ctx, "erin", "")
		if !r.ClaimsChangedAt.Equal(t0) || !slices.Equal(r.Rights, []string{"a:b"}) || !r.SubjectEndedAt.Equal(t0) {
			t.Fatalf("after a late older event: %+v", r)
		}
		must(t, store(1).Record(ctx, Event{Kind: ClaimsChanged, Sub: "erin", At: t0.Add(2 * time.Second), Rights: []string{"c:d"}}))
		clk.Advance(time.Second)
		if r, _ := store(0).Lookup(ctx, "erin", ""); !slices.Equal(r.Rights, []string{"c:d"}) {
			t.Fatalf("after a newer event: %+v", r)
		}
		// Two changes in one second: the one received last carries the
		// rights Sésame read last.
		must(t, store(0).Record(ctx, Event{Kind: ClaimsChanged, Sub: "erin", At: t0.Add(2 * time.Second), Rights: []string{}}))
		clk.Advance(time.Second)
		if r, _ := store(1).Lookup(ctx, "erin", ""); r.Rights == nil || len(r.Rights) != 0 {
			t.Fatalf("after a second change in the same second: %+v", r)
		}
	})

	t.Run("records expire after the retention", func(t *testing.T) {
		clk := newClock()
		store := factory(t, clk)
		must(t, store(0).Record(ctx, Event{Kind: SubjectEnded, Sub: "fay", At: clk.Now()}))
		clk.Advance(DefaultRetention + time.Minute)
		if r, _ := store(0).Lookup(ctx, "fay", ""); !r.SubjectEndedAt.IsZero() {
			t.Fatalf("record kept past the retention: %+v", r)
		}
	})

	t.Run("malformed events are refused", func(t *testing.T) {
		clk := newClock()
		store := factory(t, clk)
		for _, e := range []Event{
			{Kind: SessionEnded, Sub: "x", At: clk.Now()},
			{Kind: SubjectEnded, SID: "x", At: clk.Now()},
			{Kind: ClaimsChanged, Sub: "x"},
			{Kind: "other", Sub: "x", At: clk.Now()},
			{Kind: SubjectEnded, Sub: "x", At: clk.Now(), JTI: "no-until"},
		} {
			if err := store(0).Record(ctx, e); err == nil {
				t.Errorf("Record(%+v) accepted", e)
			}
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPostgresRevocationsCache: an instance sees another's record after at
// most its cache TTL, and its own at once.
func TestPostgresRevocationsCache(t *testing.T) {
	db := testDB(t)
	table := testSchema(t, db)
	clk := newClock()
	ctx := context.Background()
	open := func() *PostgresRevocations {
		s, err := NewPostgresRevocations(ctx, PostgresConfig{DB: db, Table: table, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := open(), open()
	if r, _ := b.Lookup(ctx, "gus", "s1"); !r.SessionEndedAt.IsZero() {
		t.Fatal("not empty")
	}
	must(t, a.Record(ctx, Event{Kind: SessionEnded, SID: "s1", At: clk.Now()}))
	if r, _ := a.Lookup(ctx, "gus", "s1"); r.SessionEndedAt.IsZero() {
		t.Fatal("the recording instance does not see its record at once")
	}
	if r, _ := b.Lookup(ctx, "gus", "s1"); !r.SessionEndedAt.IsZero() {
		t.Fatal("the other instance's lookup was not cached (one query per request)")
	}
	clk.Advance(250 * time.Millisecond)
	if r, _ := b.Lookup(ctx, "gus", "s1"); r.SessionEndedAt.IsZero() {
		t.Fatal("the other instance does not see the record after 250 ms")
	}
	if _, err := NewPostgresRevocations(ctx, PostgresConfig{DB: db, Table: "bad name; drop"}); err == nil {
		t.Fatal("a malformed table name was accepted")
	}
}

func BenchmarkPostgresLookup(b *testing.B) {
	db := testDB(b)
	table := testSchema(b, db)
	ctx := context.Background()
	for _, ttl := range []time.Duration{-1, 250 * time.Millisecond} {
		s, err := NewPostgresRevocations(ctx, PostgresConfig{DB: db, Table: table, CacheTTL: ttl})
		if err != nil {
			b.Fatal(err)
		}
		name := "uncached"
		if ttl > 0 {
			name = "cached"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Lookup(ctx, "alice", "sid-1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMemoryLookup(b *testing.B) {
	s := NewMemoryRevocations(0, nil)
	ctx := context.Background()
	for i := range 10000 {
		s.Record(ctx, Event{Kind: SubjectEnded, Sub: "p" + strconv.Itoa(i), At: time.Now()})
	}
	for b.Loop() {
		if _, err := s.Lookup(ctx, "p42", "sid-1"); err != nil {
			b.Fatal(err)
		}
	}
}

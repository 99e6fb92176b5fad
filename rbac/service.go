package rbac

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/policies"
)

// DefaultCacheSize is the number of account enforcers a Service keeps when
// Options.CacheSize is zero: about 90 MB at ~22 KB for an account of ten
// login accounts (see BenchmarkCacheMemory). A miss costs one indexed query
// and a new enforcer (~0.2 ms on SQLite, ~0.5 ms on PostgreSQL).
const DefaultCacheSize = 4096

// Options tune a Service. The zero value is usable.
type Options struct {
	// Now is the clock deciding whether a grant has expired; time.Now when nil.
	Now func() time.Time
	// CacheSize bounds the number of account enforcers kept in memory
	// (least recently used first out); DefaultCacheSize when zero.
	CacheSize int
	// Logger receives the watcher's connection events; slog.Default() when nil.
	Logger *slog.Logger
	// Active reports whether a member may exercise its grants now: a
	// disabled login account keeps its grants, for when it is enabled
	// again, but holds no right meanwhile. Nil: every member is active.
	// It is asked only when a rule would allow.
	Active func(ctx context.Context, memberID string) (bool, error)
	// RightsChanged, when set, is told inside the transaction of an admin's
	// rule edit which members' rights it may have changed (the products
	// they use are told). An error rolls the edit back.
	RightsChanged func(ctx context.Context, accountID string, memberIDs []string) error
}

// Service answers "may this member do this here?" and changes rights. It
// keeps one small enforcer per account, loaded on first use from that
// account's rules only, and drops it on every change (Invalidate, Watch).
// It is safe for concurrent use.
type Service struct {
	d       *db.DB
	trail   *audit.Log
	now     func() time.Time
	active  func(ctx context.Context, memberID string) (bool, error)
	onEdit  func(ctx context.Context, accountID string, memberIDs []string) error
	log     *slog.Logger
	model   model.Model
	adapter *Adapter
	cache   *lru.Cache[string, *entry]

	seedMu sync.Mutex // guards seeded
	seeded bool       // default templates stored (see seedTemplates)
	// follow hears the changes of the other instances (see Watch); while
	// it may have missed one, checks read the database.
	follow *db.Follower

	stats cacheCounters
}

// entry is a cached account: ready is closed once pol or err is set, so
// concurrent first requests for an account share one load.
type entry struct {
	ready chan struct{}
	pol   *accountPolicy
	err   error
}

// New returns a Service on d.
func New(d *db.DB, opts Options) (*Service, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("rbac: model: %w", err)
	}
	size := opts.CacheSize
	if size <= 0 {
		size = DefaultCacheSize
	}
	cache, err := lru.New[string, *entry](size)
	if err != nil {
		return nil, fmt.Errorf("rbac: cache: %w", err)
	}
	s := &Service{
		d:       d,
		trail:   audit.New(d),
		now:     opts.Now,
		active:  opts.Active,
		onEdit:  opts.RightsChanged,
		log:     opts.Logger,
		model:   m,
		adapter: NewAdapter(d),
		cache:   cache,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.follow = &db.Follower{Channel: notifyChannel, What: "rbac: policy listener", Log: s.log,
		Resync: s.resynced, Notify: s.heard}
	return s, nil
}

// Invalidate drops the cached enforcer of an account, so that the next
// check reloads its rules. Writers call it after their transaction commits
// (the change is also announced to every instance by Watch).
func (s *Service) Invalidate(accountID string) { s.cache.Remove(accountID) }

// invalidateAll drops every cached enforcer.
func (s *Service) invalidateAll() { s.cache.Purge() }

// policy returns the enforcer of an account, loading it on first use. While
// the cache is not trusted it loads it for every call, and fails when the
// database does.
func (s *Service) policy(ctx context.Context, accountID string) (*accountPolicy, error) {
	if !s.cacheTrusted() {
		return s.load(ctx, accountID)
	}
	if en, ok := s.cache.Get(accountID); ok {
		s.stats.hits.Add(1)
		if pol, err := s.wait(ctx, en); err == nil {
			return pol, nil
		} else if ctx.Err() != nil {
			return nil, err
		}
		// The shared load failed (perhaps its caller went away): load
		// for ourselves below.
	} else {
		s.stats.misses.Add(1)
		en := &entry{ready: make(chan struct{})}
		prev, found, _ := s.cache.PeekOrAdd(accountID, en)
		if found {
			if pol, err := s.wait(ctx, prev); err == nil || ctx.Err() != nil {
				return pol, err
			}
		} else {
			en.pol, en.err = s.load(ctx, accountID)
			close(en.ready)
			if en.err != nil {
				if cur, ok := s.cache.Peek(accountID); ok && cur == en {
					s.cache.Remove(accountID)
				}
			}
			return en.pol, en.err
		}
	}
	return s.load(ctx, accountID)
}

func (s *Service) wait(ctx context.Context, en *entry) (*accountPolicy, error) {
	select {
	case <-en.ready:
		return en.pol, en.err
	case <-ctx.Done():
		return nil, fmt.Errorf("rbac: wait for rules: %w", ctx.Err())
	}
}

// load builds the enforcer of one account from its rules alone.
func (s *Service) load(ctx context.Context, accountID string) (*accountPolicy, error) {
	e, err := casbin.NewEnforcer(s.model.Copy())
	if err != nil {
		return nil, fmt.Errorf("rbac: enforcer for %s: %w", accountID, err)
	}
	e.AddFunction("live", s.live)
	e.SetAdapter(s.adapter)
	e.EnableAutoSave(false)
	if err := e.LoadFilteredPolicyCtx(ctx, Filter{Domain: accountID}); err != nil {
		return nil, fmt.Errorf("rbac: load %s: %w", accountID, err)
	}
	return newAccountPolicy(accountID, e), nil
}

// live is the model's live(p.exp): true for a rule without expiry or whose
// expiry is still ahead. A malformed expiry fails closed.
func (s *Service) live(args ...any) (any, error) {
	if len(args) != 1 {
		return false, fmt.Errorf("rbac: live() takes 1 argument, got %d", len(args))
	}
	exp, _ := args[0].(string)
	return isLive(exp, s.now()), nil
}

func isLive(exp string, now time.Time) bool {
	if exp == "" {
		return true
	}
	t, err := time.Parse(time.RFC3339, exp)
	return err == nil && now.Before(t)
}

// formatExpiry writes an expiry as stored: RFC 3339, UTC, whole seconds, so
// that stored expiries compare as strings in SQL.
func formatExpiry(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

func parseExpiry(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}

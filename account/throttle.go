package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// ThrottleConfig bounds failed sign-ins in fixed windows, counted in the
// login_throttle table that every instance shares. A window opens at the
// first failure and closes Window later, whatever happens: there is no
// permanent lockout for an attacker to trigger.
type ThrottleConfig struct {
	// Window is the length of a counting window; 15 minutes by default.
	Window time.Duration
	// MaxPerEmail is how many failures one email may collect per window in
	// one sign-in scope (an account ID as typed, no account ID, or the
	// admin sign-in); 10 by default, negative for no limit.
	MaxPerEmail int
	// MaxPerIP is how many failures one client address (an IPv6 /64) may
	// collect per window; 50 by default, negative for no limit.
	MaxPerIP int
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.Window <= 0 {
		c.Window = 15 * time.Minute
	}
	if c.MaxPerEmail == 0 {
		c.MaxPerEmail = 10
	}
	if c.MaxPerIP == 0 {
		c.MaxPerIP = 50
	}
	return c
}

// throttleKey is one counter and its limit.
type throttleKey struct {
	key   string
	limit int
}

// throttleKeys returns the counters a sign-in attempt touches: one for
// the email in its scope, one for the client address. Keys are hashed so
// that the table holds neither emails nor addresses.
func (c ThrottleConfig) throttleKeys(scope, email, ip string) []throttleKey {
	var keys []throttleKey
	if c.MaxPerEmail > 0 {
		keys = append(keys, throttleKey{key: emailThrottleKey(scope, email), limit: c.MaxPerEmail})
	}
	if ip = clientNetwork(ip); ip != "" && c.MaxPerIP > 0 {
		sum := sha256.Sum256([]byte(ip))
		keys = append(keys, throttleKey{key: "ip:" + hex.EncodeToString(sum[:]), limit: c.MaxPerIP})
	}
	return keys
}

func emailThrottleKey(scope, email string) string {
	sum := sha256.Sum256([]byte(scope + "\x00" + email))
	return "em:" + hex.EncodeToString(sum[:])
}

// clientNetwork maps an address to what one client controls: an IPv4
// address itself, but an IPv6 address's /64, since any host gets a whole
// /64 to pick addresses from.
func clientNetwork(ip string) string {
	ip = strings.TrimSpace(ip)
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

// throttled reports ErrThrottled when a counter of keys has reached its
// limit in a window still open at now. It only reads, so a throttled
// attempt costs one query.
func (s *Service) throttled(ctx context.Context, now time.Time, keys []throttleKey) error {
	if len(keys) == 0 {
		return nil
	}
	limits := make(map[string]int, len(keys))
	args := make([]any, len(keys))
	for i, k := range keys {
		limits[k.key] = k.limit
		args[i] = k.key
	}
	var rows []struct {
		Key         string    `db:"key"`
		WindowStart time.Time `db:"window_start"`
		Failures    int       `db:"failures"`
	}
	query := `SELECT key, window_start, failures FROM login_throttle WHERE key IN (?` + strings.Repeat(", ?", len(keys)-1) + `)`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
		return fmt.Errorf("account: read throttle: %w", err)
	}
	open := now.Add(-s.throttle.Window)
	for _, r := range rows {
		if r.WindowStart.After(open) && r.Failures >= limits[r.Key] {
			return ErrThrottled
		}
	}
	return nil
}

// countFailure adds one failure to each counter of keys through q,
// opening a new window where the old one has closed.
func (s *Service) countFailure(ctx context.Context, now time.Time, keys []throttleKey) error {
	closed := now.Add(-s.throttle.Window)
	upsert := s.db.Rebind(`INSERT INTO login_throttle (key, window_start, failures) VALUES (?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET
		failures = CASE WHEN login_throttle.window_start <= ? THEN 1 ELSE login_throttle.failures + 1 END,
		window_start = CASE WHEN login_throttle.window_start <= ? THEN excluded.window_start ELSE login_throttle.window_start END`)
	for _, k := range keys {
		if _, err := s.db.ExecContext(ctx, upsert, k.key, now, closed, closed); err != nil {
			return fmt.Errorf("account: count failed sign-in: %w", err)
		}
	}
	return nil
}

// clearCounters deletes the counters named by keys through q.
func (s *Service) clearCounters(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	query := `DELETE FROM login_throttle WHERE key IN (?` + strings.Repeat(", ?", len(keys)-1) + `)`
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(query), args...); err != nil {
		return fmt.Errorf("account: clear throttle: %w", err)
	}
	return nil
}

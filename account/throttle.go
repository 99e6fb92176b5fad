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

// ThrottleConfig bounds sign-in attempts in fixed windows, counted in the
// login_throttle table that every instance shares. An attempt is counted
// before its password is checked, in one atomic statement per counter, so
// that attempts sent together cannot slip past the limit. A window opens
// at the first attempt and closes Window later, whatever happens: there is
// no permanent lockout for an attacker to trigger.
type ThrottleConfig struct {
	// Window is the length of a counting window; 15 minutes by default.
	Window time.Duration
	// MaxPerEmail is how many attempts one email may make per window in
	// one sign-in scope (an account ID as typed, no account ID, or the
	// admin sign-in) from browsers without a device cookie for it; 10 by
	// default, negative for no limit.
	MaxPerEmail int
	// MaxPerDevice is how many attempts one browser holding a device
	// cookie for an email and scope may make per window; such attempts
	// count here instead of on the email's counter. 10 by default, negative
	// for no limit.
	MaxPerDevice int
	// MaxPerIP is how many attempts one client address (an IPv6 /64) may
	// make per window; 50 by default, negative for no limit.
	MaxPerIP int
}

func (c ThrottleConfig) withDefaults() ThrottleConfig {
	if c.Window <= 0 {
		c.Window = 15 * time.Minute
	}
	if c.MaxPerEmail == 0 {
		c.MaxPerEmail = 10
	}
	if c.MaxPerDevice == 0 {
		c.MaxPerDevice = 10
	}
	if c.MaxPerIP == 0 {
		c.MaxPerIP = 50
	}
	return c
}

// ThrottledError is the error of a sign-in refused for too many attempts;
// errors.Is(err, ErrThrottled) holds. It says nothing of whether the email
// exists.
type ThrottledError struct {
	// RetryAfter is how long until the window that refused the attempt
	// closes, rounded up to the second.
	RetryAfter time.Duration
}

// Error returns the text of ErrThrottled.
func (e *ThrottledError) Error() string { return ErrThrottled.Error() }

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// throttleKey is one counter and its limit.
type throttleKey struct {
	key   string
	limit int
}

// throttleKeys returns the counters a sign-in attempt touches: the
// device's when device vouches for this email in this scope, the email's
// in its scope otherwise, and the client address's. Keys are hashed so
// that the table holds neither emails nor addresses.
func (c ThrottleConfig) throttleKeys(scope, email, ip string, device Device) []throttleKey {
	var keys []throttleKey
	subject := signInSubject(scope, email)
	if device.ID != "" && device.Subject == subject {
		if c.MaxPerDevice > 0 {
			sum := sha256.Sum256([]byte(subject + "\x00" + device.ID))
			keys = append(keys, throttleKey{key: "dv:" + hex.EncodeToString(sum[:]), limit: c.MaxPerDevice})
		}
	} else if c.MaxPerEmail > 0 {
		keys = append(keys, throttleKey{key: emailThrottleKey(scope, email), limit: c.MaxPerEmail})
	}
	if ip = clientNetwork(ip); ip != "" && c.MaxPerIP > 0 {
		sum := sha256.Sum256([]byte(ip))
		keys = append(keys, throttleKey{key: "ip:" + hex.EncodeToString(sum[:]), limit: c.MaxPerIP})
	}
	return keys
}

// signInSubject names an email in a sign-in scope, hashed.
func signInSubject(scope, email string) string {
	sum := sha256.Sum256([]byte(scope + "\x00" + email))
	return hex.EncodeToString(sum[:])
}

func emailThrottleKey(scope, email string) string { return "em:" + signInSubject(scope, email) }

// isDeviceKey reports whether a counter is a device's.
func isDeviceKey(key string) bool { return strings.HasPrefix(key, "dv:") }

// isIPKey reports whether a counter is a client address's.
func isIPKey(key string) bool { return strings.HasPrefix(key, "ip:") }

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

// counted is one counter an admitted attempt added itself to, and the
// window it was counted in.
type counted struct {
	key         string
	windowStart time.Time
}

// admit counts an attempt on each counter of keys, before any password
// check. Each count is one conditional upsert that returns the new count,
// so that concurrent attempts, on one instance or many, each see their
// own rank: an attempt ranked past a limit is refused with a
// *ThrottledError and takes its counts back from the counters that had
// room, so that it uses none of their attempts. A counter past its limit
// stays at limit+1 until its window closes.
func (s *Service) admit(ctx context.Context, now time.Time, keys []throttleKey) ([]counted, error) {
	closed := now.Add(-s.throttle.Window)
	upsert := s.db.Rebind(`INSERT INTO login_throttle (key, window_start, failures) VALUES (?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET
		failures = CASE WHEN login_throttle.window_start <= ? THEN 1
			WHEN login_throttle.failures > ? THEN login_throttle.failures
			ELSE login_throttle.failures + 1 END,
		window_start = CASE WHEN login_throttle.window_start <= ? THEN excluded.window_start ELSE login_throttle.window_start END
		RETURNING failures, window_start`)
	var (
		admitted []counted
		retry    time.Duration
	)
	for _, k := range keys {
		var row struct {
			Failures    int       `db:"failures"`
			WindowStart time.Time `db:"window_start"`
		}
		if err := s.db.GetContext(ctx, &row, upsert, k.key, now, closed, k.limit, closed); err != nil {
			s.uncount(ctx, admitted)
			return nil, fmt.Errorf("account: count sign-in attempt: %w", err)
		}
		if row.Failures > k.limit {
			retry = max(retry, row.WindowStart.Add(s.throttle.Window).Sub(now))
			continue
		}
		admitted = append(admitted, counted{key: k.key, windowStart: row.WindowStart})
	}
	if retry > 0 {
		s.uncount(ctx, admitted)
		return nil, &ThrottledError{RetryAfter: (retry + time.Second - 1).Truncate(time.Second)}
	}
	return admitted, nil
}

// uncount takes an attempt back from the counters it was counted on, in
// the window it was counted in. It runs even when the client has gone
// and only logs a failure: a count left behind errs on the safe side.
func (s *Service) uncount(ctx context.Context, cs []counted) {
	ctx = context.WithoutCancel(ctx)
	for _, c := range cs {
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE login_throttle SET failures = failures - 1
			WHERE key = ? AND window_start = ? AND failures > 0`), c.key, c.windowStart); err != nil {
			s.log.WarnContext(ctx, "account: take back a sign-in attempt", "err", err)
			return
		}
	}
}

// settle runs in the transaction of a successful sign-in: the attempt is
// taken back from the client address's counter (only failures count
// against an address) and the counters named by clear are deleted.
func (s *Service) settle(ctx context.Context, cs []counted, clear ...string) error {
	for _, c := range cs {
		if !isIPKey(c.key) {
			continue
		}
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE login_throttle SET failures = failures - 1
			WHERE key = ? AND window_start = ? AND failures > 0`), c.key, c.windowStart); err != nil {
			return fmt.Errorf("account: settle throttle: %w", err)
		}
	}
	return s.clearCounters(ctx, clear...)
}

// clearCounters deletes the counters named by keys.
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

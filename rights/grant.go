package rights

import (
	"fmt"
	"time"
)

// Grant is a right given to a login account: "product:action" or
// "product:action:resource", until ExpiresAt (nil: no end). Expiries count
// to the second.
type Grant struct {
	Right     string     `json:"right"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// LiveAt reports whether g is still running at now.
func (g Grant) LiveAt(now time.Time) bool {
	return g.ExpiresAt == nil || g.ExpiresAt.Truncate(time.Second).After(now)
}

// Live returns the grants of list still running at now.
func Live(list []Grant, now time.Time) []Grant {
	out := make([]Grant, 0, len(list))
	for _, g := range list {
		if g.LiveAt(now) {
			out = append(out, g)
		}
	}
	return out
}

// Checker checks a parsed right against a catalog: package rbac passes
// one that knows which rights exist and which can be narrowed.
type Checker func(Right) error

// NormalizeGrants validates grants and returns them in canonical form:
// rights as Parse writes them, expiries in UTC to the second. A grant that
// does not parse, that check refuses (check may be nil) or whose expiry is
// not after now is an error and nothing is returned. A right given twice is
// kept once, at its first place, with the later expiry (no expiry being the
// latest).
func NormalizeGrants(grants []Grant, now time.Time, check Checker) ([]Grant, error) {
	out := make([]Grant, 0, len(grants))
	index := make(map[string]int, len(grants))
	for _, g := range grants {
		r, err := Parse(g.Right)
		if err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(r); err != nil {
				return nil, err
			}
		}
		g.Right = r.String()
		if g.ExpiresAt != nil {
			t := g.ExpiresAt.UTC().Truncate(time.Second)
			if !t.After(now) {
				return nil, fmt.Errorf("%w: grant of %s expires at %s", ErrExpired, g.Right, t.Format(time.RFC3339))
			}
			g.ExpiresAt = &t
		}
		i, seen := index[g.Right]
		switch {
		case !seen:
			index[g.Right] = len(out)
			out = append(out, g)
		case Outlives(g, out[i]):
			out[i].ExpiresAt = g.ExpiresAt
		}
	}
	return out, nil
}

// Outlives reports whether a ends later than b (no expiry being the
// latest).
func Outlives(a, b Grant) bool {
	switch {
	case a.ExpiresAt == nil:
		return b.ExpiresAt != nil
	case b.ExpiresAt == nil:
		return false
	}
	return a.ExpiresAt.Truncate(time.Second).After(b.ExpiresAt.Truncate(time.Second))
}

// Delegable reports whether someone holding held (their effective grants:
// direct and through roles, with their expiries) may grant g at now: one
// grant of held, live at now, covers g's right and does not end before g.
// A grant never outgrows (resource) nor outlives (expiry) the granter's own.
func Delegable(held []Grant, g Grant, now time.Time) bool {
	want, err := Parse(g.Right)
	if err != nil {
		return false
	}
	for _, h := range held {
		r, err := Parse(h.Right)
		if err != nil || !h.LiveAt(now) || !r.Covers(want) {
			continue
		}
		if !Outlives(g, h) {
			return true
		}
	}
	return false
}

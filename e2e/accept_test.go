package e2e_test

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

const (
	techEmail    = "tech%d@example.cm"
	techPassword = "Technicien!2026x"
)

// TestAcceptDisable: the owner disables a login account through instance
// A's management API; within a second both panels refuse its browser
// session and its API calls (bearer tokens). Measured over 30 disables
// (three login accounts in turn, each enabled again and signed in anew),
// with the median and the 99th percentile in the log.
func TestAcceptDisable(t *testing.T) {
	st := newStage(t)
	const runs = 30
	type tech struct {
		id         string
		email      string
		disabledAt time.Time
	}
	var techs []*tech
	for i := range 3 {
		email := sprintf(techEmail, i)
		m := addLoginAccount(t, st.A, st.w.AccountID, email, techPassword, "server:read", "domain:read")
		techs = append(techs, &tech{id: m.ID, email: email})
	}
	delays := make([]time.Duration, 0, runs)
	for run := range runs {
		tc := techs[run%len(techs)]
		if !tc.disabledAt.IsZero() {
			st.member(tc.id, map[string]any{"status": "active"})
			// A sign-in in the very second of the disable counts as
			// before it (times are in whole seconds).
			if wait := time.Until(tc.disabledAt.Truncate(time.Second).Add(time.Second)); wait > 0 {
				time.Sleep(wait)
			}
		}
		p := st.signIn(tc.email, techPassword)
		for _, c := range []check{
			{name: "server session", do: func() int { s, _ := p.page("GET", st.server.URL+"/servers"); return s }, want: is(200)},
			{name: "domain session", do: func() int { s, _ := p.page("GET", st.domain.URL+"/domains"); return s }, want: is(200)},
			{name: "server API", do: func() int { return p.api("GET", st.server, "/api/me") }, want: is(200)},
			{name: "domain API", do: func() int { return p.api("GET", st.domain, "/api/me") }, want: is(200)},
		} {
			if got := c.do(); !c.want(got) {
				t.Fatalf("run %d: %s before the disable: %d", run, c.name, got)
			}
		}
		start := time.Now()
		tc.disabledAt = start
		st.member(tc.id, map[string]any{"status": "disabled"})
		delays = append(delays, waitRefused(t, start, time.Second,
			p.signedOut(st.server, "/servers"),
			p.signedOut(st.domain, "/domains"),
			check{name: "server API", do: func() int { return p.api("GET", st.server, "/api/me") }, want: is(http.StatusUnauthorized)},
			check{name: "domain API", do: func() int { return p.api("GET", st.domain, "/api/me") }, want: is(http.StatusUnauthorized)},
		))
	}
	slices.Sort(delays)
	t.Logf("disable → both panels refuse session and API, %d runs: p50 %v, p99 %v, max %v",
		len(delays), percentile(delays, 0.50), percentile(delays, 0.99), delays[len(delays)-1])
}

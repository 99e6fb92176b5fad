package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/sesametest"
)

// Bounds of the fault test.
const (
	faultOutage   = 5 * time.Second // how long the database stays down
	faultRecovery = 5 * time.Second // by then every kind of request succeeds again
	staleLimit    = time.Second     // a removed right is denied everywhere within this
)

// TestDatabaseFaults: two instances on a private PostgreSQL under load;
// the server is stopped (pg_ctl stop -m fast), then killed (SIGKILL of the
// postmaster), each time for a few seconds. While it is down, every
// request that needs it is answered 503 (never a 4xx that would blame the
// caller); once it is back, both instances recover by themselves; nothing
// acknowledged is lost or duplicated; and a right removed on one instance
// right after the restart is denied by the other within a second, though
// its change listener was cut.
func TestDatabaseFaults(t *testing.T) {
	srv := dbtest.StartServer(t)
	dbURL := srv.Database("sesame")
	a := sesametest.Start(t, sesametest.Options{DatabaseURL: dbURL})
	b := sesametest.Start(t, sesametest.Options{DatabaseURL: dbURL})
	w := seed(t, a)
	steady := addLoginAccount(t, a, w.AccountID, "steady@example.cm", "Steady#2026-pass", "server:read")
	cc := clientcredentials.Config{ClientID: w.ClientID, ClientSecret: w.Secret, TokenURL: a.URL + "/oauth2/token", Scopes: []string{"sesame:authz"}}
	tok, err := cc.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l := &faultLoad{t: t, insts: map[string]*sesametest.Instance{"a": a, "b": b}, w: w,
		ccToken: tok.AccessToken, owner: signInToken(t, w, ownerEmail, ownerPassword, ""), steadyID: steady.ID}

	faults := []struct {
		name string
		do   func() error
	}{{"stop", srv.Stop}, {"kill", srv.Kill}}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			l.phase = f.name
			faultRound(t, srv, l, f.do)
		})
	}
	checkNothingLost(t, l, dbURL)
}

// faultRound runs the load, applies the fault for faultOutage, restarts
// the server and checks the answers of the round.
func faultRound(t *testing.T, srv *dbtest.Server, l *faultLoad, fault func() error) {
	a, b := l.insts["a"], l.insts["b"]
	ops := addLoginAccount(t, a, l.w.AccountID, "ops-"+l.phase+"@example.cm", "Operateur#2026!", "server:operate")
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) { // then b caches the account
		allowed, status, note := checkOn(b, l.ccToken, ops.ID, l.w.AccountID, "server:operate")
		if status == http.StatusOK && allowed {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("b before the fault: %d %s allowed=%v", status, note, allowed)
		}
	}
	from := len(l.outcomes())
	stopLoad := l.run()
	time.Sleep(1500 * time.Millisecond)

	down := time.Now()
	if err := fault(); err != nil {
		stopLoad()
		t.Fatal(err)
	}
	time.Sleep(faultOutage)
	if err := srv.Start(); err != nil {
		stopLoad()
		t.Fatal(err)
	}
	up := time.Now()

	// Remove the right through a as soon as a can, then ask b until it
	// denies.
	var removed time.Time
	for removed.IsZero() {
		status, _ := apiCall(t, "PATCH", a.URL+"/api/v1/accounts/"+l.w.AccountID+"/members/"+ops.ID, l.owner, map[string]any{"rights": []string{"server:read"}})
		switch {
		case status == http.StatusOK:
			removed = time.Now()
		case status != http.StatusServiceUnavailable || time.Since(up) > faultRecovery:
			stopLoad()
			t.Fatalf("removing the right on a after the restart: %d", status)
		default:
			time.Sleep(20 * time.Millisecond)
		}
	}
	stale, stalest := 0, time.Duration(0)
	for {
		start := time.Now()
		allowed, status, note := checkOn(b, l.ccToken, ops.ID, l.w.AccountID, "server:operate")
		if status == http.StatusOK && !allowed {
			break
		}
		if status == http.StatusOK {
			stale++
			stalest = start.Sub(removed)
		} else if status != http.StatusServiceUnavailable {
			t.Errorf("b after the restart: %d %s", status, note)
		}
		if time.Since(removed) > 15*time.Second {
			stopLoad()
			t.Fatalf("b still allows the removed right 15 s after the change (%d stale answers)", stale)
		}
		time.Sleep(5 * time.Millisecond)
	}
	denied := time.Since(removed)
	time.Sleep(faultRecovery)
	stopLoad()

	out := l.outcomes()[from:]
	var during, bad []outcome
	recovered := map[string]time.Duration{}
	failedAfter, lastFailure := 0, time.Duration(0)
	for _, o := range out {
		if !o.start.Before(down) && o.start.Before(up) {
			during = append(during, o)
		}
		key := o.op + "@" + o.inst
		if o.ok() && !o.start.Before(up) {
			if _, seen := recovered[key]; !seen {
				recovered[key] = o.end.Sub(up)
			}
		}
		if !o.ok() && (!o.unavailable() || o.start.After(up.Add(faultRecovery))) {
			bad = append(bad, o)
		}
		if !o.ok() && !o.start.Before(up) {
			failedAfter++
			lastFailure = max(lastFailure, o.end.Sub(up))
		}
	}
	var recovery time.Duration
	for _, op := range []string{"token", "check", "invite", "authorize", "login", "code", "login-page", "sign-in"} {
		for _, inst := range []string{"a", "b"} {
			d, ok := recovered[op+"@"+inst]
			if !ok {
				t.Errorf("%s on %s never succeeded after the restart", op, inst)
			}
			recovery = max(recovery, d)
		}
	}
	t.Logf("%s: answers while the database was down (%d):\n%s", l.phase, len(during), tally(during))
	t.Logf("%s: %d requests failed after the restart (the last %v after it); every kind of request "+
		"had succeeded on both instances %v after it (paced by the load); "+
		"b denied the removed right %v after the change (%d stale allows, the last %v after it)",
		l.phase, failedAfter, lastFailure.Round(time.Millisecond), recovery.Round(time.Millisecond),
		denied.Round(time.Millisecond), stale, stalest.Round(time.Millisecond))
	if len(bad) > 0 {
		t.Errorf("%d answers neither right nor 503:\n%s", len(bad), tally(bad))
	}
	unavailable := map[string]int{}
	for _, o := range during {
		if o.unavailable() {
			unavailable[o.op]++
		}
	}
	if unavailable["token"] == 0 || unavailable["check"] == 0 {
		t.Errorf("no 503 while the database was down (%v): was it down?", unavailable)
	}
	if stale > 0 && stalest > staleLimit || denied > staleLimit {
		t.Errorf("b allowed the removed right for %v after the change (%d stale answers)", denied, stale)
	}
}

// checkNothingLost: every invitation answered 2xx exists, once; none is
// duplicated; tokens issued before and during the faults still work.
func checkNothingLost(t *testing.T, l *faultLoad, dbURL string) {
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var acked, tokens int
	for _, o := range l.outcomes() {
		switch {
		case o.op == "invite":
			var n int
			if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM invitations WHERE email = $1`, o.email); err != nil {
				t.Fatal(err)
			}
			if o.ok() {
				acked++
			}
			if o.ok() && n != 1 || n > 1 {
				t.Errorf("invitation of %s answered %d: %d stored", o.email, o.status, n)
			}
		case o.op == "token" && o.ok() && tokens < 20 && o.end.UnixNano()%7 == 0:
			tokens++
			if _, status, note := checkOn(l.insts["b"], o.token, l.steadyID, l.w.AccountID, "server:read"); status != http.StatusOK {
				t.Errorf("a token issued at %v is refused: %d %s", o.end.Format(time.StampMilli), status, note)
			}
		}
	}
	t.Logf("%d acknowledged invitations all stored once; %d issued tokens still accepted", acked, tokens)
}

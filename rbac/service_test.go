package rbac

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

func TestInvalidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := fixture(t, d)
		ctx := context.Background()
		if !mustAllowed(t, s, web, acct1, "email:read", "") {
			t.Fatal("email:read denied before removal")
		}
		// Remove one right: the next check denies it.
		setGrants(t, s, acct1, web, grant("domain:read"))
		if mustAllowed(t, s, web, acct1, "email:read", "") {
			t.Fatal("email:read still allowed after SetGrants removed it")
		}
		if !mustAllowed(t, s, web, acct1, "domain:read", "") {
			t.Fatal("domain:read denied after SetGrants kept it")
		}

		// A change made in a transaction that is not committed yet is
		// invisible, and the check made meanwhile reloads the old rules;
		// the commit drops them again, so the change is visible at once.
		txCtx, err := d.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveMember(txCtx, acct1, web); err != nil {
			t.Fatal(err)
		}
		if !mustAllowed(t, s, web, acct1, "domain:read", "") {
			t.Fatal("uncommitted removal visible to a check")
		}
		if err := d.Commit(txCtx); err != nil {
			t.Fatal(err)
		}
		if mustAllowed(t, s, web, acct1, "domain:read", "") {
			t.Fatal("domain:read allowed after RemoveMember committed")
		}
		if got, err := s.Rights(ctx, acct1, web); err != nil || len(got) != 0 {
			t.Fatalf("Rights after RemoveMember = %v, %v", got, err)
		}

		// A rolled-back change leaves the rights as they were.
		boom := fmt.Errorf("boom")
		err = d.InTx(ctx, func(ctx context.Context) error {
			if err := s.SetGrants(ctx, acct1, temp, nil); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatalf("InTx = %v", err)
		}
		s.Invalidate(acct1)
		if !mustAllowed(t, s, temp, acct1, "billing:read", "") {
			t.Fatal("rolled-back SetGrants took effect")
		}
	})
}

func TestOwnership(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := fixture(t, d)
		ctx := context.Background()
		// Transfer acct1 to web: owner1 loses everything, web gains it.
		setOwner(t, s, acct1, web)
		if mustAllowed(t, s, owner1, acct1, "domain:read", "") {
			t.Fatal("previous owner still allowed")
		}
		if !mustAllowed(t, s, web, acct1, "members:manage", "") {
			t.Fatal("new owner denied members:manage")
		}
		// SetOwner is idempotent.
		setOwner(t, s, acct1, web)
		rules, err := s.Policies(ctx, acct1)
		if err != nil {
			t.Fatal(err)
		}
		var owners int
		for _, r := range rules {
			if r.PType == "g" && r.Role == ownerRole {
				owners++
			}
		}
		if owners != 1 {
			t.Fatalf("%d owner links after two SetOwner, want 1: %+v", owners, rules)
		}
		// Removing the account removes its rules.
		inTx(t, s, acct1, func(ctx context.Context) error { return s.RemoveAccount(ctx, acct1) })
		if mustAllowed(t, s, web, acct1, "domain:read", "") {
			t.Fatal("allowed after RemoveAccount")
		}
		if !mustAllowed(t, s, owner2, acct2, "domain:read", "") {
			t.Fatal("RemoveAccount touched another account")
		}
	})
}

func TestExplain(t *testing.T) {
	s, c := fixture(t, dbtest.SQLite(t))
	ctx := context.Background()
	c.Advance(2 * time.Hour) // temp's grant has expired
	tests := []struct {
		name                   string
		member, account, right string
		resource               string
		allowed                bool
		rule                   string
		reason                 string
	}{
		{name: "owner", member: owner1, account: acct1, right: "billing:pay", allowed: true,
			rule: "p role:owner id100001 * * ", reason: "holds role owner"},
		{name: "direct grant", member: web, account: acct1, right: "domain:read", resource: "x.cm", allowed: true,
			rule: "p m-webmaster id100001 * domain:read ", reason: "on every resource"},
		{name: "narrowed grant", member: web, account: acct1, right: "domain:dns", resource: "example.cm", allowed: true,
			rule: "p m-webmaster id100001 example.cm domain:dns ", reason: "on example.cm"},
		{name: "other resource", member: web, account: acct1, right: "domain:dns", resource: "other.cm",
			reason: "only on example.cm, not on other.cm"},
		{name: "expired", member: temp, account: acct1, right: "billing:read", reason: "expired at 2026-11-05T11:00:00Z"},
		{name: "nothing granted", member: web, account: acct1, right: "billing:pay", reason: "deny by default"},
		{name: "stranger", member: owner2, account: acct1, right: "domain:read", reason: "holds no right in account id100001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := s.Explain(ctx, tt.member, tt.account, tt.right, tt.resource)
			if err != nil {
				t.Fatal(err)
			}
			allowed := mustAllowed(t, s, tt.member, tt.account, tt.right, tt.resource)
			if x.Allowed != tt.allowed || allowed != tt.allowed {
				t.Fatalf("Explain.Allowed = %v, Allowed = %v, want %v (%+v)", x.Allowed, allowed, tt.allowed, x)
			}
			if got := strings.Join(x.Rule, " "); got != tt.rule {
				t.Errorf("rule = %q, want %q", got, tt.rule)
			}
			if !strings.Contains(x.Reason, tt.reason) {
				t.Errorf("reason = %q, want it to contain %q", x.Reason, tt.reason)
			}
		})
	}
}

func TestPurgeExpired(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := fixture(t, d)
		ctx := context.Background()
		n, err := s.PurgeExpired(ctx)
		if err != nil || n != 0 {
			t.Fatalf("PurgeExpired before expiry = %d, %v; want 0", n, err)
		}
		c.Advance(time.Hour)
		n, err = s.PurgeExpired(ctx)
		if err != nil || n != 1 {
			t.Fatalf("PurgeExpired after expiry = %d, %v; want 1", n, err)
		}
		rules, err := s.Policies(ctx, acct1)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rules {
			if r.Subject == temp {
				t.Fatalf("expired rule still stored: %+v", r)
			}
		}
	})
}

// TestConcurrentChecks runs checks while rights change and the cache is
// invalidated and evicted; run it with -race.
func TestConcurrentChecks(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: concurrency test")
	}
	d := dbtest.SQLite(t)
	s := newService(t, d, Options{CacheSize: 2})
	ctx := context.Background()
	accounts := []string{"id200001", "id200002", "id200003"}
	for _, a := range accounts {
		setOwner(t, s, a, "owner-"+a)
		setGrants(t, s, a, "m-"+a, grant("domain:read"))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				a := accounts[(i+w)%len(accounts)]
				ok, err := s.Allowed(ctx, "owner-"+a, a, "domain:dns", "example.cm")
				if err != nil || !ok {
					errs <- fmt.Errorf("owner of %s: %v, %v", a, ok, err)
					return
				}
				if _, err := s.Rights(ctx, a, "m-"+a); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 50 {
			a := accounts[i%len(accounts)]
			g := []Grant{grant("domain:read")}
			if i%2 == 0 {
				g = append(g, grant("email:read"))
			}
			if err := d.InTx(ctx, func(ctx context.Context) error { return s.SetGrants(ctx, a, "m-"+a, g) }); err != nil {
				errs <- err
				return
			}
			s.Invalidate(a)
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

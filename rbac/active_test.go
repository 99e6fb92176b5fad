package rbac

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/sesame-idp/sesame/db/dbtest"
)

// TestInactiveMemberHoldsNoRight: a member Options.Active reports as not
// active (a disabled login account) keeps its grants but is denied once
// the change is announced (MemberStatusChanged), and Explain says why.
func TestInactiveMemberHoldsNoRight(t *testing.T) {
	var mu sync.Mutex
	disabled := map[string]bool{}
	s := newService(t, dbtest.SQLite(t), Options{Active: func(_ context.Context, id string) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return !disabled[id], nil
	}})
	setGrants(t, s, "id100001", "m_tech", grant("server:read"))
	if !mustAllowed(t, s, "m_tech", "id100001", "server:read", "") {
		t.Fatal("active member denied")
	}
	mu.Lock()
	disabled["m_tech"] = true
	mu.Unlock()
	if err := s.MemberStatusChanged(context.Background(), "id100001", "m_tech"); err != nil {
		t.Fatal(err)
	}
	if mustAllowed(t, s, "m_tech", "id100001", "server:read", "") {
		t.Fatal("disabled member allowed")
	}
	x, err := s.Explain(context.Background(), "m_tech", "id100001", "server:read", "")
	if err != nil {
		t.Fatal(err)
	}
	if x.Allowed || len(x.Rule) == 0 || !strings.Contains(x.Reason, "disabled") {
		t.Fatalf("explanation for a disabled member = %+v", x)
	}
	if g, err := s.Grants(context.Background(), "id100001", "m_tech"); err != nil || len(g) != 1 {
		t.Fatalf("grants of the disabled member = %v, %v; want them kept", g, err)
	}
}

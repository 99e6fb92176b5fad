package account

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// revoker records the subjects whose tokens the service revoked, and
// whether it ran inside a transaction.
type revoker struct {
	mu       sync.Mutex
	subjects []string
	inTx     bool
	d        *db.DB
	fail     error
}

func (r *revoker) RevokeSubject(ctx context.Context, subject string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.subjects = append(r.subjects, subject)
	r.inTx = r.d.InTransaction(ctx)
	return nil
}

// TestChangePasswordRevokesTokens: a password change revokes the person's
// OAuth tokens in the transaction of the change; a refused change revokes
// nothing, and a failed revocation leaves the old password in place.
func TestChangePasswordRevokesTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rev := &revoker{d: d}
		s, _ := newTestService(t, d, Options{Tokens: rev})
		_, m := mustCreateAccount(t, s, "Acme", "alice@example.com", pwAlice)
		const next = "Nouveau-Secret#2027"
		change := func(current string) error {
			return s.ChangePassword(ctx, PasswordChange{MemberID: m.ID, Current: current, New: next, Confirm: next, IP: "192.0.2.1"})
		}

		if err := change("Pas#Le-Bon-2026"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("wrong current password: %v", err)
		}
		if len(rev.subjects) != 0 {
			t.Fatalf("a refused change revoked tokens of %v", rev.subjects)
		}

		rev.fail = errors.New("store down")
		if err := change(pwAlice); err == nil {
			t.Fatal("the change succeeded although its tokens could not be revoked")
		}
		if row, err := s.memberRow(ctx, m.ID); err != nil {
			t.Fatal(err)
		} else if ok, _ := s.verify(ctx, row.ID, row.PasswordHash, pwAlice); !ok {
			t.Fatal("a change whose revocation failed replaced the password")
		}

		rev.fail = nil
		if err := change(pwAlice); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rev.subjects, []string{m.ID}) || !rev.inTx {
			t.Fatalf("revoked %v (in a transaction: %v), want %s in the change's transaction", rev.subjects, rev.inTx, m.ID)
		}
	})
}

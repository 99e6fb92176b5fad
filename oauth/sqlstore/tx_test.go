package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ory/fosite"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

func TestTransactionalRollback(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "alice")
		if err := st.CreateAuthorizeCodeSession(ctx, "code-1", req); err != nil {
			t.Fatal(err)
		}

		// What fosite does at the token endpoint, then fails.
		txCtx, err := st.BeginTX(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.BeginTX(txCtx); err == nil {
			t.Error("nested BeginTX succeeded")
		}
		if err := st.InvalidateAuthorizeCodeSession(txCtx, "code-1"); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateAccessTokenSession(txCtx, "at-1", req); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateRefreshTokenSession(txCtx, "rt-1", "at-1", req); err != nil {
			t.Fatal(err)
		}
		if err := st.RotateRefreshToken(txCtx, "req-1", "rt-1"); err != nil {
			t.Fatal(err)
		}
		if err := st.RevokeSubject(txCtx, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetAccessTokenSession(txCtx, "at-1", newSession()); !errors.Is(err, fosite.ErrInactiveToken) {
			t.Errorf("inside the transaction: %v, want the revoked token", err)
		}
		if err := st.Rollback(txCtx); err != nil {
			t.Fatal(err)
		}

		if _, err := st.GetAuthorizeCodeSession(ctx, "code-1", newSession()); err != nil {
			t.Errorf("code after rollback: %v, want active", err)
		}
		for _, get := range []func() (fosite.Requester, error){
			func() (fosite.Requester, error) { return st.GetAccessTokenSession(ctx, "at-1", newSession()) },
			func() (fosite.Requester, error) { return st.GetRefreshTokenSession(ctx, "rt-1", newSession()) },
		} {
			if _, err := get(); !errors.Is(err, fosite.ErrNotFound) {
				t.Errorf("token after rollback: %v, want ErrNotFound", err)
			}
		}
	})
}

func TestTransactionalCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		req := newRequest(newClient(t, st, "panel"), "req-1", "alice")
		txCtx, err := st.BeginTX(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateAccessTokenSession(txCtx, "at-1", req); err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(txCtx); err != nil {
			t.Fatal(err)
		}
		// fosite rolls back after a failed commit; after any commit it is
		// harmless.
		if err := st.Rollback(txCtx); err != nil {
			t.Errorf("rollback after commit: %v", err)
		}
		if _, err := st.GetAccessTokenSession(ctx, "at-1", newSession()); err != nil {
			t.Errorf("after commit: %v", err)
		}
		if err := st.Commit(ctx); err == nil {
			t.Error("Commit without a transaction succeeded")
		}
		if err := st.Rollback(ctx); err == nil {
			t.Error("Rollback without a transaction succeeded")
		}
	})
}

// TestRevokeInCallersTx revokes a subject inside a caller's transaction,
// as disabling a login account does.
func TestRevokeInCallersTx(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		st := sqlstore.New(d)
		mustCreateGrant(t, st, newRequest(newClient(t, st, "panel"), "req-1", "alice"), "1")
		boom := errors.New("boom")
		err := d.InTx(ctx, func(ctx context.Context) error {
			if err := st.RevokeSubject(ctx, "alice"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		checkGrant(t, st, "1", true)
		err = d.InTx(ctx, func(ctx context.Context) error {
			return st.RevokeSubject(ctx, "alice")
		})
		if err != nil {
			t.Fatal(err)
		}
		checkGrant(t, st, "1", false)
	})
}

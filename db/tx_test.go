package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

func countAccounts(t *testing.T, ctx context.Context, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM accounts`); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertAccount(ctx context.Context, d *db.DB, id string) error {
	_, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)`), id, "X", db.Now())
	return err
}

// TestInTxJoins checks that a nested InTx joins the outer transaction (the
// inner one commits nothing by itself), that queries made with the
// transaction's context see its writes while others do not, and that
// AfterCommit runs after the outermost commit only.
func TestInTxJoins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var committed []string
		err := d.InTx(ctx, func(ctx context.Context) error {
			if !d.InTransaction(ctx) {
				t.Error("InTransaction = false inside InTx")
			}
			err := d.InTx(ctx, func(ctx context.Context) error {
				d.AfterCommit(ctx, func() { committed = append(committed, "inner") })
				return insertAccount(ctx, d, "id100003")
			})
			if err != nil {
				return err
			}
			if n := countAccounts(t, ctx, d); n != 1 {
				t.Errorf("inside the transaction: %d accounts, want 1", n)
			}
			if len(committed) != 0 {
				t.Error("AfterCommit ran before the outer commit")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(committed) != 1 {
			t.Errorf("AfterCommit ran %d times, want 1", len(committed))
		}
		if n := countAccounts(t, ctx, d); n != 1 {
			t.Errorf("after commit: %d accounts, want 1", n)
		}

		// A rollback drops the AfterCommit functions.
		boom := errors.New("boom")
		err = d.InTx(ctx, func(ctx context.Context) error {
			d.AfterCommit(ctx, func() { t.Error("AfterCommit ran after a rollback") })
			if err := insertAccount(ctx, d, "id100004"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if n := countAccounts(t, ctx, d); n != 1 {
			t.Errorf("after rollback: %d accounts, want 1", n)
		}

		// Outside a transaction AfterCommit runs at once.
		ran := false
		d.AfterCommit(ctx, func() { ran = true })
		if !ran {
			t.Error("AfterCommit without a transaction did not run")
		}

		// Begin refuses to nest; Commit and Rollback need a transaction.
		txCtx, err := d.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Begin(txCtx); !errors.Is(err, db.ErrNestedBegin) {
			t.Errorf("nested Begin = %v, want ErrNestedBegin", err)
		}
		if err := d.Rollback(txCtx); err != nil {
			t.Fatal(err)
		}
		if err := d.Rollback(txCtx); err != nil {
			t.Errorf("second Rollback = %v, want nil", err)
		}
		if err := d.Commit(ctx); err == nil {
			t.Error("Commit without a transaction succeeded")
		}
	})
}

// TestInTxSingleConnection runs nested work on "sqlite::memory:", whose
// pool holds one connection: any query that left the transaction for the
// pool would wait forever.
func TestInTxSingleConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := db.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	err = d.InTx(ctx, func(ctx context.Context) error {
		if err := insertAccount(ctx, d, "id100005"); err != nil {
			return err
		}
		if n := countAccounts(t, ctx, d); n != 1 {
			t.Errorf("%d accounts, want 1", n)
		}
		return d.InTx(ctx, func(ctx context.Context) error { return insertAccount(ctx, d, "id100006") })
	})
	if err != nil {
		t.Fatalf("InTx on one connection: %v", err)
	}
	if n := countAccounts(t, ctx, d); n != 2 {
		t.Errorf("%d accounts, want 2", n)
	}
}

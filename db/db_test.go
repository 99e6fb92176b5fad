package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

func TestMigrateAndTranslate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n, err := d.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second Migrate = %d, %v; want 0 pending", n, err)
		}
		now := db.Now()
		insert := d.Rebind(`INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)`)
		if _, err := d.ExecContext(ctx, insert, "id100001", "Acme", now); err != nil {
			t.Fatal(err)
		}
		_, err = d.ExecContext(ctx, insert, "id100001", "Acme", now)
		if !errors.Is(db.Translate(err), db.ErrAlreadyExists) {
			t.Fatalf("duplicate insert: %v, want ErrAlreadyExists", err)
		}
		var got struct {
			Name      string
			CreatedAt sqlTime `db:"created_at"`
		}
		err = d.GetContext(ctx, &got, d.Rebind(`SELECT name, created_at FROM accounts WHERE id = ?`), "id100001")
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(now) {
			t.Errorf("created_at = %v, want %v", got.CreatedAt, now)
		}
		err = d.GetContext(ctx, &got, d.Rebind(`SELECT name, created_at FROM accounts WHERE id = ?`), "id999999")
		if !errors.Is(db.Translate(err), db.ErrNotFound) {
			t.Fatalf("missing row: %v, want ErrNotFound", err)
		}
	})
}

type sqlTime = time.Time

func TestInTxRollsBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.InTx(ctx, func(ctx context.Context) error {
			if _, err := d.ExecContext(ctx, d.Rebind(`INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)`), "id100002", "X", db.Now()); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		var n int
		if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM accounts`); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d accounts after rollback, want 0", n)
		}
	})
}

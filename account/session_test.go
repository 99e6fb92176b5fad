package account

import (
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

func TestSessions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{SessionTTL: time.Hour})
		raw, sess, err := f.s.CreateSession(ctx, f.alice.ID, "", "192.0.2.1", "Mozilla/5.0")
		if err != nil {
			t.Fatal(err)
		}
		if b, err := base64.RawURLEncoding.DecodeString(raw); err != nil || len(b) != 32 {
			t.Fatalf("raw id %q is not 256 random bits", raw)
		}
		now := f.clk.Now().UTC()
		if b, err := base64.RawURLEncoding.DecodeString(sess.SID); err != nil || len(b) != 16 || strings.Contains(raw, sess.SID) {
			t.Fatalf("sid %q is not 128 random bits apart from the cookie", sess.SID)
		}
		want := Session{SID: sess.SID, MemberID: f.alice.ID, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastUsedAt: now, Methods: []string{AMRPassword}}
		if !reflect.DeepEqual(sess, want) {
			t.Fatalf("CreateSession = %+v, want %+v", sess, want)
		}
		var stored int
		if err := d.GetContext(ctx, &stored, d.Rebind(`SELECT COUNT(*) FROM browser_sessions WHERE id_hash = ?`), raw); err != nil || stored != 0 {
			t.Fatalf("the raw id is stored (%d, %v)", stored, err)
		}
		if got, err := f.s.Session(ctx, raw); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Session = %+v, %v; want %+v", got, err, want)
		}
		for _, bad := range []string{"", raw + "x", raw[:len(raw)-1]} {
			if _, err := f.s.Session(ctx, bad); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Session(%q) = %v, want ErrNotFound", bad, err)
			}
		}

		// Expiry.
		f.clk.Advance(time.Hour - time.Second)
		if _, err := f.s.Session(ctx, raw); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		f.clk.Advance(time.Second)
		if _, err := f.s.Session(ctx, raw); !errors.Is(err, ErrNotFound) {
			t.Fatalf("at expiry: %v, want ErrNotFound", err)
		}

		// Delete one.
		raw2, _, err := f.s.CreateSession(ctx, f.alice.ID, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if raw2 == raw {
			t.Fatal("two sessions share an id")
		}
		if err := f.s.DeleteSession(ctx, raw2); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Session(ctx, raw2); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted session: %v", err)
		}
		if err := f.s.DeleteSession(ctx, raw2); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second delete: %v, want ErrNotFound", err)
		}

		// Delete every session of a member, and only those.
		e1, _, _ := f.s.CreateSession(ctx, f.erin.ID, "", "", "")
		e2, _, _ := f.s.CreateSession(ctx, f.erin.ID, "", "", "")
		other, _, _ := f.s.CreateSession(ctx, f.bob1.ID, "", "", "")
		if err := f.s.DeleteMemberSessions(ctx, f.erin.ID); err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{e1, e2} {
			if _, err := f.s.Session(ctx, r); !errors.Is(err, ErrNotFound) {
				t.Fatalf("session of a member whose sessions were deleted: %v", err)
			}
		}
		if _, err := f.s.Session(ctx, other); err != nil {
			t.Fatalf("another member's session: %v", err)
		}

		// A member who is no longer active has no session, even one that
		// survived (SetMemberStatus deletes them; a direct update does not).
		b2, _, _ := f.s.CreateSession(ctx, f.bob2.ID, "", "", "")
		if _, err := d.ExecContext(ctx, d.Rebind(`UPDATE members SET status = 'disabled' WHERE id = ?`), f.bob2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Session(ctx, b2); !errors.Is(err, ErrNotFound) {
			t.Fatalf("session of a disabled member: %v, want ErrNotFound", err)
		}
		if err := f.s.SetMemberStatus(ctx, f.bob1.ID, StatusDisabled); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := d.GetContext(ctx, &left, d.Rebind(`SELECT COUNT(*) FROM browser_sessions WHERE member_id = ?`), f.bob1.ID); err != nil || left != 0 {
			t.Fatalf("%d sessions left after disabling (%v)", left, err)
		}
	})
}

func TestAdminSessions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestService(t, d, Options{})
		a, err := s.CreateAdmin(ctx, "root@example.com", "Xk7#mP2q-root")
		if err != nil {
			t.Fatal(err)
		}
		raw, _, err := s.CreateSession(ctx, "", a.ID, "192.0.2.1", "curl")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, raw)
		if err != nil || got.AdminID != a.ID || got.MemberID != "" {
			t.Fatalf("Session = %+v, %v", got, err)
		}
		if got.ExpiresAt.Sub(got.CreatedAt) != DefaultSessionTTL {
			t.Fatalf("lifetime %v, want %v", got.ExpiresAt.Sub(got.CreatedAt), DefaultSessionTTL)
		}
		for name, ids := range map[string][2]string{"neither": {"", ""}, "both": {"m_x", a.ID}} {
			if _, _, err := s.CreateSession(ctx, ids[0], ids[1], "", ""); err == nil {
				t.Errorf("%s: CreateSession accepted", name)
			}
		}
		if _, _, err := s.CreateSession(ctx, "m_nobody", "", "", ""); err == nil {
			t.Error("CreateSession for an unknown member accepted")
		}
	})
}

func TestPurgeSessions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{SessionTTL: time.Hour})
		old, _, _ := f.s.CreateSession(ctx, f.alice.ID, "", "", "")
		f.clk.Advance(30 * time.Minute)
		fresh, _, _ := f.s.CreateSession(ctx, f.alice.ID, "", "", "")
		f.clk.Advance(31 * time.Minute)
		// The purge leaves sessions to the sweep.
		if err := f.s.PurgeExpired(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM browser_sessions`); err != nil || n != 2 {
			t.Fatalf("%d sessions after purge (%v), want 2", n, err)
		}
		if got, err := f.s.EndTimedOutSessions(ctx); err != nil || got != 1 {
			t.Fatalf("sweep ended %d (%v), want 1", got, err)
		}
		if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM browser_sessions`); err != nil || n != 1 {
			t.Fatalf("%d sessions after the sweep (%v), want 1", n, err)
		}
		if _, err := f.s.Session(ctx, fresh); err != nil {
			t.Fatalf("fresh session purged: %v", err)
		}
		if _, err := f.s.Session(ctx, old); !errors.Is(err, ErrNotFound) {
			t.Fatalf("old session: %v", err)
		}
	})
}

// TestSessionIdle: a session unused for longer than SessionIdle ends;
// each use, noted at most once a minute, keeps it alive.
func TestSessionIdle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newSignInFixture(t, d, Options{SessionTTL: 12 * time.Hour, SessionIdle: 2 * time.Hour})
		raw, sess, err := f.s.CreateSession(ctx, f.alice.ID, "", "192.0.2.1", "Mozilla/5.0")
		if err != nil {
			t.Fatal(err)
		}
		// Within a minute, the use is not written again.
		f.clk.Advance(30 * time.Second)
		if got, err := f.s.Session(ctx, raw); err != nil || !got.LastUsedAt.Equal(sess.CreatedAt) {
			t.Fatalf("30 s later: last use %v (%v), want %v", got.LastUsedAt, err, sess.CreatedAt)
		}
		// Used just before the timeout: the use is noted and keeps it.
		f.clk.Advance(2*time.Hour - 31*time.Second)
		used := f.clk.Now().UTC()
		if got, err := f.s.Session(ctx, raw); err != nil || !got.LastUsedAt.Equal(used) {
			t.Fatalf("before the timeout: last use %v (%v), want %v", got.LastUsedAt, err, used)
		}
		if list, err := f.s.MemberSessions(ctx, f.alice.ID); err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(used) {
			t.Fatalf("MemberSessions = %+v, %v; want the last use %v", list, err, used)
		}
		f.clk.Advance(2*time.Hour - time.Second)
		if _, err := f.s.Session(ctx, raw); err != nil {
			t.Fatalf("used within the timeout: %v", err)
		}
		// Idle for the timeout: ended, listed nowhere, swept.
		f.clk.Advance(2 * time.Hour)
		if _, err := f.s.Session(ctx, raw); !errors.Is(err, ErrNotFound) {
			t.Fatalf("idle: %v, want ErrNotFound", err)
		}
		if list, err := f.s.MemberSessions(ctx, f.alice.ID); err != nil || len(list) != 0 {
			t.Fatalf("idle session listed: %+v, %v", list, err)
		}
		if got, err := f.s.EndTimedOutSessions(ctx); err != nil || got != 1 {
			t.Fatalf("sweep ended %d (%v), want 1", got, err)
		}
		var n int
		if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM browser_sessions`); err != nil || n != 0 {
			t.Fatalf("after the sweep: %d sessions (%v)", n, err)
		}
	})
}

package account

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/sesame-idp/sesame/audit"
	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

var (
	accountIDPattern = regexp.MustCompile(`^id[1-9][0-9]{5}$`)
	memberIDPattern  = regexp.MustCompile(`^m_[a-z2-7]{20}$`)
)

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var hooked []string
		s, clk := newTestService(t, d, Options{OnOwnerCreated: func(ctx context.Context, accountID, memberID string) error {
			// The hook sees the new rows: it runs inside the creating transaction.
			var n int
			if err := d.GetContext(ctx, &n, d.Rebind(`SELECT COUNT(*) FROM members WHERE id = ? AND account_id = ?`), memberID, accountID); err != nil || n != 1 {
				t.Errorf("hook: member %s of %s not visible (%d, %v)", memberID, accountID, n, err)
			}
			hooked = append(hooked, accountID+"/"+memberID)
			return nil
		}})
		a, m, err := s.CreateAccount(ctx, " Acme SARL ", " Alice@Example.com ", "Alice Martin", "Xk7#mP2q")
		if err != nil {
			t.Fatal(err)
		}
		if !accountIDPattern.MatchString(a.ID) || !memberIDPattern.MatchString(m.ID) {
			t.Fatalf("IDs %q, %q not well-formed", a.ID, m.ID)
		}
		want := Member{ID: m.ID, AccountID: a.ID, Email: "alice@example.com", Name: "Alice Martin", Role: RoleOwner,
			Status: StatusActive, CreatedAt: clk.Now().UTC(), UpdatedAt: clk.Now().UTC()}
		if m != want {
			t.Fatalf("member = %+v, want %+v", m, want)
		}
		if a.Name != "Acme SARL" || !a.CreatedAt.Equal(clk.Now()) {
			t.Fatalf("account = %+v", a)
		}
		if got, err := s.Account(ctx, " "+a.ID+" "); err != nil || got != a {
			t.Fatalf("Account = %+v, %v; want %+v", got, err, a)
		}
		if got, err := s.Member(ctx, m.ID); err != nil || got != want {
			t.Fatalf("Member = %+v, %v; want %+v", got, err, want)
		}
		if got, err := s.MemberByEmail(ctx, a.ID, "ALICE@example.com"); err != nil || got != want {
			t.Fatalf("MemberByEmail = %+v, %v", got, err)
		}
		if len(hooked) != 1 || hooked[0] != a.ID+"/"+m.ID {
			t.Fatalf("OnOwnerCreated calls = %v", hooked)
		}
		events := actions(t, d, a.ID)
		if len(events) != 1 || events[0].Action != audit.AccountCreated || events[0].Target != m.ID {
			t.Fatalf("audit = %+v, want one AccountCreated", events)
		}

		// IDs are distinct and random.
		seen := map[string]bool{a.ID: true}
		for i := range 5 {
			a2, m2 := mustCreateAccount(t, s, "", "owner"+string(rune('a'+i))+"@example.com", "Xk7#mP2q")
			if !accountIDPattern.MatchString(a2.ID) || seen[a2.ID] || m2.ID == m.ID {
				t.Fatalf("account %q (member %q) repeats or is malformed", a2.ID, m2.ID)
			}
			seen[a2.ID] = true
			if a2.Name != m2.Email {
				t.Errorf("unnamed account named %q, want the owner's email", a2.Name)
			}
		}
	})
}

func TestCreateAccountRefusals(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestService(t, d, Options{})
		mustCreateAccount(t, s, "Acme", "alice@example.com", "Xk7#mP2q")
		tests := []struct {
			name, accountName, email, ownerName, password string
			want                                          error
		}{
			{"owner email taken", "Other", "ALICE@example.com", "", "Xk7#mP2q", ErrAlreadyExists},
			{"invalid email", "Other", "alice@", "", "Xk7#mP2q", ErrInvalidEmail},
			{"weak password", "Other", "bob@example.com", "", "Password1!", ErrWeakPassword},
			{"password built on the email", "Other", "robert.durand@example.com", "", "Robert.durand1!", ErrWeakPassword},
			{"control character in name", "Acme\x00", "bob@example.com", "", "Xk7#mP2q", ErrInvalidName},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := s.CreateAccount(ctx, tt.accountName, tt.email, tt.ownerName, tt.password)
				if !errors.Is(err, tt.want) {
					t.Fatalf("CreateAccount = %v, want %v", err, tt.want)
				}
			})
		}
		var n int
		if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM accounts`); err != nil || n != 1 {
			t.Fatalf("%d accounts after refusals (%v), want 1", n, err)
		}
	})
}

// TestCreateAccountHookRollsBack checks that a failing OnOwnerCreated
// leaves nothing behind.
func TestCreateAccountHookRollsBack(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		s, _ := newTestService(t, d, Options{OnOwnerCreated: func(context.Context, string, string) error { return boom }})
		if _, _, err := s.CreateAccount(ctx, "Acme", "alice@example.com", "", "Xk7#mP2q"); !errors.Is(err, boom) {
			t.Fatalf("CreateAccount = %v, want boom", err)
		}
		for _, table := range []string{"accounts", "members", "audit_events"} {
			var n int
			if err := d.GetContext(ctx, &n, `SELECT COUNT(*) FROM `+table); err != nil || n != 0 {
				t.Errorf("%s: %d rows (%v), want 0", table, n, err)
			}
		}
	})
}

// TestCreateAccountWidensOnCollisions feeds zero randomness: every draw
// of a width is the same ID, so each account after the first must widen.
func TestCreateAccountWidensOnCollisions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d, Options{Rand: zeroReader{}})
		want := []string{"id100000", "id1000000", "id10000000"}
		for i, w := range want {
			a, _ := mustCreateAccount(t, s, "Acme", "owner"+string(rune('a'+i))+"@example.com", "Xk7#mP2q")
			if a.ID != w {
				t.Fatalf("account %d = %s, want %s", i, a.ID, w)
			}
		}
	})
}

func TestMembers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestService(t, d, Options{})
		a, owner := mustCreateAccount(t, s, "Acme", "zoe@example.com", "Xk7#mP2q")
		invited, err := s.CreateMember(ctx, a.ID, "Carol@Example.com", "Carol", StatusInvited, "")
		if err != nil {
			t.Fatal(err)
		}
		if !memberIDPattern.MatchString(invited.ID) || invited.Role != RoleMember || invited.Email != "carol@example.com" {
			t.Fatalf("CreateMember = %+v", invited)
		}
		bob := mustAddMember(t, s, a.ID, "bob@example.com", "Xk7#mP2q", StatusActive)

		got, err := s.Members(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].ID != owner.ID || got[1].ID != bob.ID || got[2].ID != invited.ID {
			t.Fatalf("Members = %+v, want owner, bob, carol", got)
		}
		if got, err := s.Members(ctx, "id999999"); err != nil || len(got) != 0 {
			t.Fatalf("Members(unknown) = %v, %v", got, err)
		}

		refusals := []struct {
			name, account, email string
			status               Status
			hash                 string
			want                 error
		}{
			{"same email twice", a.ID, "BOB@example.com", StatusActive, "", ErrAlreadyExists},
			{"owner as member", a.ID, "zoe@example.com", StatusInvited, "", ErrAlreadyExists},
			{"unknown account", "id999999", "dan@example.com", StatusInvited, "", ErrNotFound},
			{"malformed account", "acme", "dan@example.com", StatusInvited, "", ErrNotFound},
			{"invalid email", a.ID, "dan", StatusInvited, "", ErrInvalidEmail},
			{"malformed hash", a.ID, "dan@example.com", StatusActive, "plaintext", ErrMalformedHash},
		}
		for _, tt := range refusals {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := s.CreateMember(ctx, tt.account, tt.email, "", tt.status, tt.hash); !errors.Is(err, tt.want) {
					t.Fatalf("CreateMember = %v, want %v", err, tt.want)
				}
			})
		}
		if _, err := s.CreateMember(ctx, a.ID, "dan@example.com", "", "boss", ""); err == nil {
			t.Fatal("CreateMember accepted an unknown status")
		}

		if _, err := s.Member(ctx, "m_nobody"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Member(unknown) = %v", err)
		}
		if _, err := s.MemberByEmail(ctx, a.ID, "nobody@example.com"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("MemberByEmail(unknown) = %v", err)
		}
		if _, err := s.Account(ctx, "id999999"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Account(unknown) = %v", err)
		}
		if err := s.SetMemberStatus(ctx, "m_nobody", StatusDisabled); !errors.Is(err, ErrNotFound) {
			t.Fatalf("SetMemberStatus(unknown) = %v", err)
		}
	})
}

func TestCreateAdmin(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk := newTestService(t, d, Options{})
		a, err := s.CreateAdmin(ctx, "Root@Example.com", "Xk7#mP2q")
		if err != nil {
			t.Fatal(err)
		}
		want := Admin{ID: a.ID, Email: "root@example.com", CreatedAt: clk.Now().UTC()}
		if a != want || !regexp.MustCompile(`^a_[a-z2-7]{20}$`).MatchString(a.ID) {
			t.Fatalf("CreateAdmin = %+v, want %+v", a, want)
		}
		if got, err := s.Admin(ctx, a.ID); err != nil || got != want {
			t.Fatalf("Admin = %+v, %v", got, err)
		}
		if _, err := s.CreateAdmin(ctx, "root@example.com", "Xk7#mP2q"); !errors.Is(err, ErrAlreadyExists) {
			t.Fatalf("second CreateAdmin = %v, want ErrAlreadyExists", err)
		}
		if _, err := s.CreateAdmin(ctx, "ops@example.com", "Azerty123!"); !errors.Is(err, ErrWeakPassword) {
			t.Fatalf("CreateAdmin(weak) = %v, want ErrWeakPassword", err)
		}
		if _, err := s.Admin(ctx, "a_nobody"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Admin(unknown) = %v", err)
		}
	})
}

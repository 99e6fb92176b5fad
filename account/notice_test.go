package account

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// recordingNotifier keeps the notices it is given and whether each came
// inside a transaction; it fails while fail is set.
type recordingNotifier struct {
	d       *db.DB
	mu      sync.Mutex
	notices []Notice
	outside int // notices given outside a transaction
	fail    bool
}

var errNotifier = errors.New("notifier down")

func (r *recordingNotifier) Notify(ctx context.Context, n Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errNotifier
	}
	if !r.d.InTransaction(ctx) {
		r.outside++
	}
	r.notices = append(r.notices, n)
	return nil
}

// take returns the notices recorded since the last call.
func (r *recordingNotifier) take() []Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.notices
	r.notices = nil
	return n
}

func (r *recordingNotifier) setFail(fail bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = fail
}

// wantNotice checks that got is exactly one notice matching want in the
// fields want sets (Kind, PersonID, Email, AccountID, Owner, Factor,
// Remaining, By, IP, Lang) and that it carries a time.
func wantNotice(t *testing.T, got []Notice, want Notice) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("notices %+v, want one %s", got, want.Kind)
	}
	n := got[0]
	n.At, n.Name = time.Time{}, ""
	if n != want {
		t.Fatalf("notice\n %+v, want\n %+v", n, want)
	}
	if got[0].At.IsZero() {
		t.Fatalf("notice %s without a time", want.Kind)
	}
}

func TestNoticesOfSecondFactors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := WithLang(context.Background(), "en")
		rec := &recordingNotifier{d: d}
		s, clk := newTestService(t, d, Options{Sealer: plainSealer{}, Notifier: rec})
		a, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		base := Notice{PersonID: owner.ID, Email: "ana@example.com", AccountID: a.ID, Owner: true, IP: "192.0.2.1", Lang: "en"}
		with := func(f func(n *Notice)) Notice { n := base; f(&n); return n }

		uri, err := s.PendingTOTP(ctx, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("a pending authenticator was notified: %+v", got)
		}
		codes, err := s.ConfirmTOTP(ctx, owner.ID, codeAt(t, uri, clk.Now()), "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		wantNotice(t, rec.take(), with(func(n *Notice) { n.Kind, n.Factor = NoticeFactorAdded, FactorTOTP }))

		// A TOTP code and a wrong code tell nothing; a recovery code tells
		// how many are left.
		clk.Advance(30 * time.Second)
		if err := s.VerifySecondFactor(ctx, owner.ID, codeAt(t, uri, clk.Now()), "192.0.2.1", Device{}); err != nil {
			t.Fatal(err)
		}
		if err := s.VerifySecondFactor(ctx, owner.ID, "aaaaa-aaaaa", "192.0.2.1", Device{}); !errors.Is(err, ErrInvalidCode) {
			t.Fatalf("wrong recovery code: %v", err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("a TOTP code or a wrong code was notified: %+v", got)
		}
		if err := s.VerifySecondFactor(ctx, owner.ID, codes[0], "192.0.2.1", Device{}); err != nil {
			t.Fatal(err)
		}
		wantNotice(t, rec.take(), with(func(n *Notice) { n.Kind, n.Factor, n.Remaining = NoticeRecoveryCodeUsed, FactorRecovery, 9 }))

		if _, err := s.RegenerateRecoveryCodes(ctx, owner.ID, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		wantNotice(t, rec.take(), with(func(n *Notice) { n.Kind, n.Factor = NoticeRecoveryCodesNew, FactorRecovery }))

		// A reset says who made it: a person, or the operator (no address,
		// no language: the command line).
		if err := s.ResetSecondFactors(ctx, owner.ID, "boss@example.com", "192.0.2.9"); err != nil {
			t.Fatal(err)
		}
		wantNotice(t, rec.take(), with(func(n *Notice) { n.Kind, n.By, n.IP = NoticeFactorsReset, "boss@example.com", "192.0.2.9" }))
		if err := s.ResetSecondFactors(context.Background(), owner.ID, "operator (CLI)", ""); err != nil {
			t.Fatal(err)
		}
		wantNotice(t, rec.take(), with(func(n *Notice) { n.Kind, n.By, n.IP, n.Lang = NoticeFactorsReset, ByOperator, "", "" }))

		// Passkeys (or any factor) call NotifyFactorChange in their own
		// transaction.
		err = d.InTx(ctx, func(ctx context.Context) error {
			return s.NotifyFactorChange(ctx, NoticeFactorRemoved, owner.ID, FactorPasskey, "Laptop", "192.0.2.1")
		})
		if err != nil {
			t.Fatal(err)
		}
		got := rec.take()
		wantNotice(t, got, with(func(n *Notice) { n.Kind, n.Factor = NoticeFactorRemoved, FactorPasskey }))
		if got[0].Name != "Laptop" {
			t.Fatalf("passkey name %q", got[0].Name)
		}

		// Administrators are told too.
		adm, err := s.CreateAdmin(ctx, "root@example.com", "Adm1n-Pa55word!x")
		if err != nil {
			t.Fatal(err)
		}
		uri, err = s.PendingTOTP(ctx, adm.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmTOTP(ctx, adm.ID, codeAt(t, uri, clk.Now()), ""); err != nil {
			t.Fatal(err)
		}
		wantNotice(t, rec.take(), Notice{Kind: NoticeFactorAdded, PersonID: adm.ID, Email: "root@example.com", Factor: FactorTOTP, Lang: "en"})

		if rec.outside != 0 {
			t.Fatalf("%d notices were given outside the transaction of the change", rec.outside)
		}
	})
}

func TestNoticeOfPasswordChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := WithLang(context.Background(), "fr")
		rec := &recordingNotifier{d: d}
		s, _ := newTestService(t, d, Options{Notifier: rec})
		a, _ := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		m := mustAddMember(t, s, a.ID, "leo@example.com", "Correct-horse-9", StatusActive)
		next := "Another-Horse-42!"
		if err := s.ChangePassword(ctx, PasswordChange{MemberID: m.ID, Current: "Correct-horse-9", New: next, Confirm: next, IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		wantNotice(t, rec.take(), Notice{Kind: NoticePasswordChanged, PersonID: m.ID, Email: "leo@example.com", AccountID: a.ID, IP: "192.0.2.1", Lang: "fr"})
		// A wrong current password changes nothing and tells nothing.
		if err := s.ChangePassword(ctx, PasswordChange{MemberID: m.ID, Current: "Correct-horse-9", New: next + "x", Confirm: next + "x"}); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("wrong current password: %v", err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("a refused change was notified: %+v", got)
		}
		if rec.outside != 0 {
			t.Fatal("a notice was given outside the transaction of the change")
		}
	})
}

// TestFailingNotifierRollsBack: when the notice cannot be written, the
// change it tells of is not kept either.
func TestFailingNotifierRollsBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rec := &recordingNotifier{d: d}
		s, clk := newTestService(t, d, Options{Sealer: plainSealer{}, Notifier: rec})
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		uri, err := s.PendingTOTP(ctx, owner.ID)
		if err != nil {
			t.Fatal(err)
		}

		rec.setFail(true)
		if _, err := s.ConfirmTOTP(ctx, owner.ID, codeAt(t, uri, clk.Now()), ""); !errors.Is(err, errNotifier) {
			t.Fatalf("confirm with the notifier down: %v", err)
		}
		if f, _ := s.SecondFactors(ctx, owner.ID); f.Any() || f.RecoveryCodesLeft != 0 {
			t.Fatalf("the authenticator was kept: %+v", f)
		}

		rec.setFail(false)
		codes, err := s.ConfirmTOTP(ctx, owner.ID, codeAt(t, uri, clk.Now()), "")
		if err != nil {
			t.Fatal(err)
		}
		rec.setFail(true)
		if err := s.VerifySecondFactor(ctx, owner.ID, codes[0], "", Device{}); !errors.Is(err, errNotifier) {
			t.Fatalf("recovery code with the notifier down: %v", err)
		}
		if f, _ := s.SecondFactors(ctx, owner.ID); f.RecoveryCodesLeft != 10 {
			t.Fatalf("the recovery code was used up: %+v", f)
		}
		if _, err := s.RegenerateRecoveryCodes(ctx, owner.ID, ""); !errors.Is(err, errNotifier) {
			t.Fatalf("regenerate with the notifier down: %v", err)
		}
		if err := s.ResetSecondFactors(ctx, owner.ID, "operator", ""); !errors.Is(err, errNotifier) {
			t.Fatalf("reset with the notifier down: %v", err)
		}
		if f, _ := s.SecondFactors(ctx, owner.ID); !f.TOTP {
			t.Fatalf("the second factors were reset: %+v", f)
		}
		next := "Another-Horse-42!"
		if err := s.ChangePassword(ctx, PasswordChange{MemberID: owner.ID, Current: "Correct-horse-9", New: next, Confirm: next}); !errors.Is(err, errNotifier) {
			t.Fatalf("password change with the notifier down: %v", err)
		}

		rec.setFail(false)
		// The old codes and the old password still work.
		if err := s.VerifySecondFactor(ctx, owner.ID, codes[0], "", Device{}); err != nil {
			t.Fatalf("the first recovery code after the failures: %v", err)
		}
		if err := s.ChangePassword(ctx, PasswordChange{MemberID: owner.ID, Current: "Correct-horse-9", New: next, Confirm: next}); err != nil {
			t.Fatalf("the old password after the failure: %v", err)
		}
	})
}

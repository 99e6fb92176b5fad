package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
	"github.com/sesame-idp/sesame/internal/testpasskey"
)

const passkeyOrigin = "http://localhost:8080"

func newPasskeyService(t *testing.T, d *db.DB) *Service {
	t.Helper()
	s, _ := newTestService(t, d, Options{Sealer: plainSealer{}, Issuer: passkeyOrigin})
	if !s.PasskeysAvailable() {
		t.Fatal("passkeys unavailable at http://localhost")
	}
	return s
}

// registerPasskey runs a registration ceremony of personID with a.
func registerPasskey(t *testing.T, s *Service, a *testpasskey.Authenticator, personID, name string) []string {
	t.Helper()
	ctx := context.Background()
	cer, err := s.BeginPasskeyRegistration(ctx, personID)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := a.Create(string(cer.Options))
	if err != nil {
		t.Fatal(err)
	}
	_, codes, err := s.FinishPasskeyRegistration(ctx, personID, name, cer.State, answer, "192.0.2.1")
	if err != nil {
		t.Fatalf("register %q: %v", name, err)
	}
	return codes
}

// signInAnswer begins a sign-in ceremony of personID and answers it with a.
func signInAnswer(t *testing.T, s *Service, a *testpasskey.Authenticator, personID string) (state, answer string) {
	t.Helper()
	cer, err := s.BeginPasskeySignIn(context.Background(), personID)
	if err != nil {
		t.Fatal(err)
	}
	answer, err = a.Get(string(cer.Options))
	if err != nil {
		t.Fatal(err)
	}
	return cer.State, answer
}

func TestPasskeysNeedADomainName(t *testing.T) {
	d := dbtest.SQLite(t)
	for issuer, want := range map[string]bool{
		"http://127.0.0.1:8080": false, "https://192.0.2.1": false, "http://sesame.example": false,
		"http://localhost:8080": true, "https://login.example.com": true,
	} {
		s, _ := newTestService(t, d, Options{Sealer: plainSealer{}, Issuer: issuer})
		if got := s.PasskeysAvailable(); got != want {
			t.Errorf("%s: available = %v, want %v", issuer, got, want)
		}
	}
}

func TestPasskeyRegistration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newPasskeyService(t, d)
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		key := testpasskey.New(passkeyOrigin)

		codes := registerPasskey(t, s, key, owner.ID, "  Téléphone d'Ana ")
		if len(codes) != recoveryCodeCount {
			t.Fatalf("first second factor came with %d recovery codes", len(codes))
		}
		keys, err := s.Passkeys(ctx, owner.ID)
		if err != nil || len(keys) != 1 || keys[0].Name != "Téléphone d'Ana" || keys[0].LastUsedAt != nil || keys[0].Synced {
			t.Fatalf("passkeys = %+v, %v", keys, err)
		}
		if f, _ := s.SecondFactors(ctx, owner.ID); !f.Any() || f.Passkeys != 1 || f.TOTP {
			t.Fatalf("factors = %+v", f)
		}
		_, with, _ := s.MFAPolicy(ctx, owner.AccountID)
		if !with[owner.ID] {
			t.Error("the console does not see the passkey as a second factor")
		}

		// A second key: no new recovery codes; the same key again: refused.
		if codes := registerPasskey(t, s, testpasskey.New(passkeyOrigin), owner.ID, "Clé USB"); codes != nil {
			t.Errorf("a second passkey replaced the recovery codes")
		}
		cer, _ := s.BeginPasskeyRegistration(ctx, owner.ID)
		again, _ := key.Create(string(cer.Options))
		if _, _, err := s.FinishPasskeyRegistration(ctx, owner.ID, "Encore", cer.State, again, ""); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("the same credential registered twice: %v", err)
		}

		// Bad answers change nothing.
		other := testpasskey.New("http://evil.example")
		cer, _ = s.BeginPasskeyRegistration(ctx, owner.ID)
		forged, _ := other.Create(string(cer.Options))
		for name, c := range map[string]struct{ name, state, answer string }{
			"wrong origin":  {"K", cer.State, forged},
			"no name":       {" ", cer.State, forged},
			"long name":     {string(make([]rune, MaxPasskeyName+1)), cer.State, forged},
			"no state":      {"K", "", forged},
			"garbage":       {"K", cer.State, `{"id":1}`},
			"foreign state": {"K", plainSealer{}.Seal(passkeyPurpose, []byte(`{"p":"m_other"}`)), forged},
		} {
			if _, _, err := s.FinishPasskeyRegistration(ctx, owner.ID, c.name, c.state, c.answer, ""); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		if keys, _ := s.Passkeys(ctx, owner.ID); len(keys) != 2 {
			t.Fatalf("%d passkeys after refused answers", len(keys))
		}
	})
}

func TestPasskeySignIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newPasskeyService(t, d)
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		if _, err := s.BeginPasskeySignIn(ctx, owner.ID); !errors.Is(err, ErrNoSecondFactor) {
			t.Fatalf("sign-in ceremony without a passkey: %v", err)
		}
		bound := testpasskey.New(passkeyOrigin)
		bound.Counter = 1
		registerPasskey(t, s, bound, owner.ID, "Clé USB")
		synced := testpasskey.New(passkeyOrigin)
		synced.Synced = true
		registerPasskey(t, s, synced, owner.ID, "Téléphone")

		state, answer := signInAnswer(t, s, bound, owner.ID)
		method, err := s.VerifyPasskey(ctx, owner.ID, state, answer, "192.0.2.1", Device{})
		if err != nil || method != AMRHardwareKey {
			t.Fatalf("bound passkey: %q, %v", method, err)
		}
		if _, err := s.VerifyPasskey(ctx, owner.ID, state, answer, "192.0.2.1", Device{}); !errors.Is(err, ErrInvalidCode) {
			t.Fatalf("replayed answer: %v", err)
		}
		state, answer = signInAnswer(t, s, synced, owner.ID)
		if method, err := s.VerifyPasskey(ctx, owner.ID, state, answer, "", Device{}); err != nil || method != AMRSoftwareKey {
			t.Fatalf("synced passkey: %q, %v", method, err)
		}
		keys, _ := s.Passkeys(ctx, owner.ID)
		for _, k := range keys {
			if k.LastUsedAt == nil {
				t.Errorf("%s: last use not noted", k.Name)
			}
		}

		// A counter that goes backwards means a copy of the key: refused.
		bound.Counter = 0
		state, answer = signInAnswer(t, s, bound, owner.ID)
		bound.Counter = 1
		if _, err := s.VerifyPasskey(ctx, owner.ID, state, answer, "", Device{}); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("cloned key: %v", err)
		}

		// Someone else's ceremony, or another key, does not pass.
		_, mate := mustCreateAccount(t, s, "Bo", "bo@example.com", "Correct-horse-9")
		registerPasskey(t, s, testpasskey.New(passkeyOrigin), mate.ID, "Bo")
		state, answer = signInAnswer(t, s, synced, owner.ID)
		if _, err := s.VerifyPasskey(ctx, mate.ID, state, answer, "", Device{}); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("another person's ceremony: %v", err)
		}
		stranger := testpasskey.New(passkeyOrigin)
		state, answer = signInAnswer(t, s, stranger, owner.ID)
		if _, err := s.VerifyPasskey(ctx, owner.ID, state, answer, "", Device{}); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("unknown key: %v", err)
		}
	})
}

// TestPasskeyAnswerCountsOnce sends one answer many times at once: one
// passes.
func TestPasskeyAnswerCountsOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newPasskeyService(t, d)
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		key := testpasskey.New(passkeyOrigin)
		registerPasskey(t, s, key, owner.ID, "Clé")
		state, answer := signInAnswer(t, s, key, owner.ID)
		var wg sync.WaitGroup
		var mu sync.Mutex
		passed := 0
		for range 8 {
			wg.Go(func() {
				if _, err := s.VerifyPasskey(context.Background(), owner.ID, state, answer, "", Device{}); err == nil {
					mu.Lock()
					passed++
					mu.Unlock()
				} else if !errors.Is(err, ErrInvalidCode) && !db.IsStorageFailure(err) {
					t.Errorf("unexpected: %v", err)
				}
			})
		}
		wg.Wait()
		if passed != 1 {
			t.Fatalf("%d of 8 identical answers passed", passed)
		}
	})
}

func TestRemovePasskey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newPasskeyService(t, d)
		acc, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		registerPasskey(t, s, testpasskey.New(passkeyOrigin), owner.ID, "A")
		registerPasskey(t, s, testpasskey.New(passkeyOrigin), owner.ID, "B")
		keys, _ := s.Passkeys(ctx, owner.ID)
		if err := s.RemovePasskey(ctx, owner.ID, "pk_unknown", ""); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown passkey: %v", err)
		}
		_, mate := mustCreateAccount(t, s, "Bo", "bo@example.com", "Correct-horse-9")
		if err := s.RemovePasskey(ctx, mate.ID, keys[0].ID, ""); !errors.Is(err, ErrNotFound) {
			t.Fatalf("someone else's passkey: %v", err)
		}
		if err := s.RemovePasskey(ctx, owner.ID, keys[0].ID, ""); err != nil {
			t.Fatal(err)
		}
		// The owner's own policy binds login accounts, not the owner.
		if err := s.SetRequireMFA(ctx, acc.ID, true, owner.ID, owner.Email, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.RemovePasskey(ctx, owner.ID, keys[1].ID, ""); err != nil {
			t.Fatalf("last passkey of an owner: %v", err)
		}
		if f, _ := s.SecondFactors(ctx, owner.ID); f.Any() || f.RecoveryCodesLeft != 0 {
			t.Fatalf("after the last passkey: %+v", f)
		}

		admin, err := s.CreateAdmin(ctx, "root@example.com", "Correct-horse-9")
		if err != nil {
			t.Fatal(err)
		}
		registerPasskey(t, s, testpasskey.New(passkeyOrigin), admin.ID, "Admin")
		keys, _ = s.Passkeys(ctx, admin.ID)
		if err := s.RemovePasskey(ctx, admin.ID, keys[0].ID, ""); !errors.Is(err, ErrLastFactor) {
			t.Fatalf("last factor of an admin: %v", err)
		}
		if err := s.ResetSecondFactors(ctx, admin.ID, "operator", ""); err != nil {
			t.Fatal(err)
		}
		if keys, _ := s.Passkeys(ctx, admin.ID); len(keys) != 0 {
			t.Fatal("a reset leaves passkeys")
		}
	})
}

func TestRemoveTOTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk := newTestService(t, d, Options{Sealer: plainSealer{}, Issuer: passkeyOrigin})
		enrol := func(id string) {
			uri, err := s.PendingTOTP(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.ConfirmTOTP(ctx, id, codeAt(t, uri, clk.Now()), ""); err != nil {
				t.Fatal(err)
			}
		}
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		if err := s.RemoveTOTP(ctx, owner.ID, ""); !errors.Is(err, ErrNoSecondFactor) {
			t.Fatalf("nothing to remove: %v", err)
		}
		enrol(owner.ID)
		registerPasskey(t, s, testpasskey.New(passkeyOrigin), owner.ID, "Clé")
		if err := s.RemoveTOTP(ctx, owner.ID, ""); err != nil {
			t.Fatal(err)
		}
		if f, _ := s.SecondFactors(ctx, owner.ID); f.TOTP || f.Passkeys != 1 || f.RecoveryCodesLeft != recoveryCodeCount {
			t.Fatalf("after removing the app beside a passkey: %+v", f)
		}

		admin, err := s.CreateAdmin(ctx, "root@example.com", "Correct-horse-9")
		if err != nil {
			t.Fatal(err)
		}
		enrol(admin.ID)
		if err := s.RemoveTOTP(ctx, admin.ID, ""); !errors.Is(err, ErrLastFactor) {
			t.Fatalf("an admin's last factor: %v", err)
		}
		if f, _ := s.SecondFactors(ctx, admin.ID); !f.TOTP {
			t.Fatal("the refused removal removed the app")
		}
	})
}

// TestNoticesOfPasskeys: adding and removing a passkey, and removing the
// authenticator app, tell the person, in the transaction of the change; a
// failing notifier keeps the passkey from being added.
func TestNoticesOfPasskeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rec := &recordingNotifier{d: d}
		s, clk := newTestService(t, d, Options{Sealer: plainSealer{}, Issuer: passkeyOrigin, Notifier: rec})
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		registerPasskey(t, s, testpasskey.New(passkeyOrigin), owner.ID, "Clé bleue")
		wantNotice(t, rec.take(), Notice{Kind: NoticeFactorAdded, PersonID: owner.ID, Email: owner.Email,
			AccountID: owner.AccountID, Owner: true, Factor: FactorPasskey, IP: "192.0.2.1"})

		rec.setFail(true)
		cer, _ := s.BeginPasskeyRegistration(ctx, owner.ID)
		answer, _ := testpasskey.New(passkeyOrigin).Create(string(cer.Options))
		if _, _, err := s.FinishPasskeyRegistration(ctx, owner.ID, "Clé rouge", cer.State, answer, ""); !errors.Is(err, errNotifier) {
			t.Fatalf("with the notifier down: %v", err)
		}
		rec.setFail(false)
		keys, _ := s.Passkeys(ctx, owner.ID)
		if len(keys) != 1 {
			t.Fatalf("%d passkeys after a failed notice", len(keys))
		}

		uri, _ := s.PendingTOTP(ctx, owner.ID)
		if _, err := s.ConfirmTOTP(ctx, owner.ID, codeAt(t, uri, clk.Now()), ""); err != nil {
			t.Fatal(err)
		}
		rec.take()
		if err := s.RemovePasskey(ctx, owner.ID, keys[0].ID, "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
		got := rec.take()
		wantNotice(t, got, Notice{Kind: NoticeFactorRemoved, PersonID: owner.ID, Email: owner.Email,
			AccountID: owner.AccountID, Owner: true, Factor: FactorPasskey, IP: "192.0.2.7"})
		if got[0].Name != "Clé bleue" {
			t.Errorf("notice names %q", got[0].Name)
		}
		if err := s.RemoveTOTP(ctx, owner.ID, ""); err != nil {
			t.Fatal(err)
		}
		wantNotice(t, rec.take(), Notice{Kind: NoticeFactorRemoved, PersonID: owner.ID, Email: owner.Email,
			AccountID: owner.AccountID, Owner: true, Factor: FactorTOTP})
		if rec.outside != 0 {
			t.Errorf("%d notices outside a transaction", rec.outside)
		}
	})
}

// BenchmarkPasskeySecondStep runs the server's half of a passkey second
// step: the ceremony's options, then the check of the answer (throttle
// counters, signature, spent challenge, counter update), on SQLite.
func BenchmarkPasskeySecondStep(b *testing.B) {
	d := dbtest.SQLite(b)
	s, _ := newTestService(b, d, Options{Sealer: plainSealer{}, Issuer: passkeyOrigin})
	ctx := context.Background()
	_, owner, err := s.CreateAccount(ctx, "Ana", "ana@example.com", "", "Correct-horse-9")
	if err != nil {
		b.Fatal(err)
	}
	key := testpasskey.New(passkeyOrigin)
	cer, _ := s.BeginPasskeyRegistration(ctx, owner.ID)
	answer, _ := key.Create(string(cer.Options))
	if _, _, err := s.FinishPasskeyRegistration(ctx, owner.ID, "Clé", cer.State, answer, ""); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		cer, err := s.BeginPasskeySignIn(ctx, owner.ID)
		if err != nil {
			b.Fatal(err)
		}
		answer, _ := key.Get(string(cer.Options))
		b.StartTimer()
		if _, err := s.VerifyPasskey(ctx, owner.ID, cer.State, answer, "", Device{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestProveSecondFactor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newPasskeyService(t, d)
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		raw, _, err := s.CreateSession(ctx, owner.ID, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ProveSecondFactor(ctx, raw, AMRHardwareKey); err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, raw)
		if err != nil || !got.MFA || strings.Join(got.AMR(), " ") != "pwd hwk mfa" {
			t.Fatalf("session = %+v, %v", got, err)
		}
		if err := s.ProveSecondFactor(ctx, "unknown", AMROTP); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown session: %v", err)
		}
	})
}

func TestRenamePasskey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newPasskeyService(t, d)
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		_, mate := mustCreateAccount(t, s, "Bo", "bo@example.com", "Correct-horse-9")
		registerPasskey(t, s, testpasskey.New(passkeyOrigin), owner.ID, "Clé")
		keys, _ := s.Passkeys(ctx, owner.ID)
		if err := s.RenamePasskey(ctx, owner.ID, keys[0].ID, " Clé USB rouge "); err != nil {
			t.Fatal(err)
		}
		if err := s.RenamePasskey(ctx, mate.ID, keys[0].ID, "Volée"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("someone else's passkey: %v", err)
		}
		if err := s.RenamePasskey(ctx, owner.ID, keys[0].ID, "a\x00b"); !errors.Is(err, ErrInvalidName) {
			t.Fatalf("control character: %v", err)
		}
		if keys, _ := s.Passkeys(ctx, owner.ID); keys[0].Name != "Clé USB rouge" {
			t.Fatalf("name %q", keys[0].Name)
		}
	})
}

// TestLastFactorsRemovedAtOnce removes an administrator's two passkeys at
// the same time: one removal passes, the other is refused, and a factor
// stays.
func TestLastFactorsRemovedAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newPasskeyService(t, d)
		for round := range 5 {
			admin, err := s.CreateAdmin(ctx, fmt.Sprintf("root%d@example.com", round), "Correct-horse-9")
			if err != nil {
				t.Fatal(err)
			}
			registerPasskey(t, s, testpasskey.New(passkeyOrigin), admin.ID, "A")
			registerPasskey(t, s, testpasskey.New(passkeyOrigin), admin.ID, "B")
			keys, _ := s.Passkeys(ctx, admin.ID)
			var wg sync.WaitGroup
			errs := make([]error, len(keys))
			for i, k := range keys {
				wg.Go(func() { errs[i] = s.RemovePasskey(ctx, admin.ID, k.ID, "") })
			}
			wg.Wait()
			if f, _ := s.SecondFactors(ctx, admin.ID); f.Passkeys != 1 {
				t.Fatalf("round %d: %d passkeys left (%v)", round, f.Passkeys, errs)
			}
			if !errors.Is(errs[0], ErrLastFactor) && !errors.Is(errs[1], ErrLastFactor) {
				t.Fatalf("round %d: no removal refused: %v", round, errs)
			}
		}
	})
}

package account

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sesame-idp/sesame/db"
	"github.com/sesame-idp/sesame/db/dbtest"
)

// plainSealer stands in for the secret ring: it only checks the purpose.
type plainSealer struct{}

func (plainSealer) Seal(purpose string, p []byte) string { return purpose + ":" + string(p) }
func (plainSealer) Open(purpose, s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, purpose+":")
	if !ok {
		return nil, errors.New("wrong purpose")
	}
	return []byte(rest), nil
}

func codeAt(t *testing.T, uri string, at time.Time) string {
	t.Helper()
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		t.Fatal(err)
	}
	c, err := totp.GenerateCodeCustom(key.Secret(), at, totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTPEnrolAndSecondStep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk := newTestService(t, d, Options{Sealer: plainSealer{}})
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")

		uri, err := s.PendingTOTP(ctx, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, "secret=") || !strings.Contains(uri, "issuer=") {
			t.Fatalf("uri = %q", uri)
		}
		var stored string
		if err := d.GetContext(ctx, &stored, d.Rebind(`SELECT secret_sealed FROM member_totp WHERE member_id = ?`), owner.ID); err != nil || !strings.HasPrefix(stored, totpPurpose+":") {
			t.Fatalf("stored secret %q, %v: not sealed", stored, err)
		}
		again, err := s.PendingTOTP(ctx, owner.ID)
		if err != nil || again != uri {
			t.Fatalf("a second visit shows another key: %q, %v", again, err)
		}
		if f, _ := s.SecondFactors(ctx, owner.ID); f.Any() {
			t.Fatal("an unconfirmed authenticator counts as a second factor")
		}
		if _, err := s.ConfirmTOTP(ctx, owner.ID, "000000", ""); !errors.Is(err, ErrInvalidCode) && codeAt(t, uri, clk.Now()) != "000000" {
			t.Fatalf("wrong code: %v", err)
		}
		codes, err := s.ConfirmTOTP(ctx, owner.ID, codeAt(t, uri, clk.Now()), "192.0.2.1")
		if err != nil || len(codes) != 10 {
			t.Fatalf("confirm: %d codes, %v", len(codes), err)
		}
		if f, _ := s.SecondFactors(ctx, owner.ID); !f.TOTP || f.RecoveryCodesLeft != 10 {
			t.Fatalf("factors = %+v", f)
		}
		if _, err := s.PendingTOTP(ctx, owner.ID); !errors.Is(err, ErrConflict) {
			t.Fatalf("enrolling twice: %v", err)
		}

		// The code used to confirm is spent; the next step's code passes
		// once, even when sent in parallel.
		if err := s.VerifySecondFactor(ctx, owner.ID, codeAt(t, uri, clk.Now()), "192.0.2.1", Device{}); !errors.Is(err, ErrInvalidCode) {
			t.Fatalf("reused code: %v", err)
		}
		clk.Advance(30 * time.Second)
		code := codeAt(t, uri, clk.Now())
		var wg sync.WaitGroup
		results := make([]error, 4)
		for i := range results {
			wg.Add(1)
			go func() { defer wg.Done(); results[i] = s.VerifySecondFactor(ctx, owner.ID, code, "192.0.2.1", Device{}) }()
		}
		wg.Wait()
		passed := 0
		for _, err := range results {
			switch {
			case err == nil:
				passed++
			case errors.Is(err, ErrInvalidCode):
			default:
				if !db.IsStorageFailure(err) && !strings.Contains(err.Error(), "locked") {
					t.Fatalf("parallel: %v", err)
				}
			}
		}
		if passed != 1 {
			t.Fatalf("one code passed %d times", passed)
		}
		// Outside the window: the code of three steps ahead.
		if err := s.VerifySecondFactor(ctx, owner.ID, codeAt(t, uri, clk.Now().Add(90*time.Second)), "", Device{}); !errors.Is(err, ErrInvalidCode) {
			t.Fatalf("code outside the window: %v", err)
		}
		// One step of drift is accepted.
		if err := s.VerifySecondFactor(ctx, owner.ID, codeAt(t, uri, clk.Now().Add(30*time.Second)), "", Device{}); err != nil {
			t.Fatalf("code of the next step: %v", err)
		}

		// Recovery codes: each once, typed in upper case or without hyphen.
		typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))
		if err := s.VerifySecondFactor(ctx, owner.ID, typed, "", Device{}); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		if err := s.VerifySecondFactor(ctx, owner.ID, codes[3], "", Device{}); !errors.Is(err, ErrInvalidCode) {
			t.Fatalf("recovery code used twice: %v", err)
		}
		fresh, err := s.RegenerateRecoveryCodes(ctx, owner.ID, "")
		if err != nil || len(fresh) != 10 {
			t.Fatal(err)
		}
		if err := s.VerifySecondFactor(ctx, owner.ID, codes[4], "", Device{}); !errors.Is(err, ErrInvalidCode) {
			t.Fatalf("an old recovery code after regeneration: %v", err)
		}
		if err := s.VerifySecondFactor(ctx, owner.ID, fresh[0], "", Device{}); err != nil {
			t.Fatalf("a new recovery code: %v", err)
		}

		if err := s.ResetSecondFactors(ctx, owner.ID, "operator", ""); err != nil {
			t.Fatal(err)
		}
		if f, _ := s.SecondFactors(ctx, owner.ID); f.Any() || f.RecoveryCodesLeft != 0 {
			t.Fatalf("after reset: %+v", f)
		}
	})
}

func TestSecondStepThrottled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestService(t, d, Options{Sealer: plainSealer{}, Throttle: ThrottleConfig{MaxPerEmail: 3}})
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		for i := range 3 {
			if err := s.VerifySecondFactor(ctx, owner.ID, "12345"+string(rune('0'+i)), "", Device{}); !errors.Is(err, ErrInvalidCode) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		var te *ThrottledError
		if err := s.VerifySecondFactor(ctx, owner.ID, "123459", "", Device{}); !errors.As(err, &te) || te.RetryAfter <= 0 {
			t.Fatalf("fourth attempt: %v", err)
		}
	})
}

func TestSessionRecordsMFA(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestService(t, d, Options{})
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		raw, _, err := s.CreateSessionMFA(ctx, owner.ID, "", "", "", AMROTP)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, raw)
		if err != nil || !got.MFA || strings.Join(got.AMR(), " ") != "pwd otp mfa" {
			t.Fatalf("session = %+v, %v", got, err)
		}
		raw, _, _ = s.CreateSession(ctx, owner.ID, "", "", "")
		if got, _ := s.Session(ctx, raw); got.MFA || strings.Join(got.AMR(), " ") != "pwd" {
			t.Fatalf("password-only session = %+v", got)
		}
	})
}

func TestAdminSecondFactor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk := newTestService(t, d, Options{Sealer: plainSealer{}})
		adm, err := s.CreateAdmin(ctx, "root@example.com", "Adm1n-Pa55word!x")
		if err != nil {
			t.Fatal(err)
		}
		uri, err := s.PendingTOTP(ctx, adm.ID)
		if err != nil || !strings.Contains(uri, "admin") {
			t.Fatalf("uri %q, %v", uri, err)
		}
		codes, err := s.ConfirmTOTP(ctx, adm.ID, codeAt(t, uri, clk.Now()), "")
		if err != nil || len(codes) != 10 {
			t.Fatal(err)
		}
		var n int
		if err := d.GetContext(ctx, &n, d.Rebind(`SELECT COUNT(*) FROM member_totp`)); err != nil || n != 0 {
			t.Fatalf("an admin's authenticator among the members' (%d, %v)", n, err)
		}
		if err := s.VerifySecondFactor(ctx, adm.ID, codes[0], "", Device{}); err != nil {
			t.Fatal(err)
		}
		if err := s.ResetSecondFactors(ctx, adm.ID, "operator", ""); err != nil {
			t.Fatal(err)
		}
		if f, _ := s.SecondFactors(ctx, adm.ID); f.Any() || f.RecoveryCodesLeft != 0 {
			t.Fatalf("after reset: %+v", f)
		}
	})
}

// TestSecondStepDevice: someone holding the password who fills the
// person's second-step counter does not lock out the person's usual
// browser, whose device counts on its own counter.
func TestSecondStepDevice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newTestService(t, d, Options{Sealer: plainSealer{}, Throttle: ThrottleConfig{MaxPerEmail: 2, MaxPerDevice: 2}})
		_, owner := mustCreateAccount(t, s, "Ana", "ana@example.com", "Correct-horse-9")
		for range 2 {
			_ = s.VerifySecondFactor(ctx, owner.ID, "000000", "198.51.100.7", Device{})
		}
		if err := s.VerifySecondFactor(ctx, owner.ID, "000000", "198.51.100.7", Device{}); !errors.Is(err, ErrThrottled) {
			t.Fatalf("third guess without a device: %v", err)
		}
		usual := Device{Subject: strings.Repeat("a", 64), ID: "usual-browser"}
		if err := s.VerifySecondFactor(ctx, owner.ID, "000000", "192.0.2.1", usual); !errors.Is(err, ErrInvalidCode) {
			t.Fatalf("the usual browser was locked out: %v", err)
		}
	})
}

// BenchmarkSecondStep measures a whole second step on SQLite: counting
// the attempt, opening the sealed secret, three HMACs, the conditional
// update of a recovery code and the audit record (a wrong code, so that
// every iteration does the same work).
func BenchmarkSecondStep(b *testing.B) {
	ctx := context.Background()
	s, clk := newTestService(b, dbtest.SQLite(b), Options{Sealer: plainSealer{}, Throttle: ThrottleConfig{MaxPerEmail: -1, MaxPerIP: -1}})
	_, owner := mustCreateAccount(b, s, "Ana", "ana@example.com", "Correct-horse-9")
	uri, err := s.PendingTOTP(ctx, owner.ID)
	if err != nil {
		b.Fatal(err)
	}
	key, _ := otp.NewKeyFromURL(uri)
	code, _ := totp.GenerateCodeCustom(key.Secret(), clk.Now(), totpOpts)
	if _, err := s.ConfirmTOTP(ctx, owner.ID, code, ""); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.VerifySecondFactor(ctx, owner.ID, "12345a", "", Device{}); !errors.Is(err, ErrInvalidCode) {
			b.Fatal(err)
		}
	}
}

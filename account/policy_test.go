package account

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		password string
		want     []PolicyFailure
	}{
		{"random eight characters", "Xk7#mP2q", nil},
		{"passphrase", "Nous irons au bois, 3 fois !", nil},
		{"long passphrase", strings.Repeat("Le chat dort sur le 4e toit bleu ; ", 4), nil},
		{"accented letters count once", "Ét3é-çàÀ", nil},
		{"non-latin letters", "Пароль-№7-Жук", nil},
		{"greek with space as special", "Ωμέγα 42 λύκος", nil},
		{"max bytes", strings.Repeat("Le chat dort sur le 4e toit bleu ; ", 30)[:MaxPasswordBytes], nil},
		{"too short", "Ab1!xyz", []PolicyFailure{FailureTooShort}},
		{"too short in runes though long in bytes", "Éé1!Éé1", []PolicyFailure{FailureTooShort}},
		{"too long", strings.Repeat("aB3!", MaxPasswordBytes/4) + "x", []PolicyFailure{FailureTooLong}},
		{"no upper", "xk7#mp2q9z", []PolicyFailure{FailureUpper}},
		{"no lower", "XK7#MP2Q9Z", []PolicyFailure{FailureLower}},
		{"no digit", "Xkq#mPzqWr", []PolicyFailure{FailureDigit}},
		{"no special", "Xk7mP2qWz9", []PolicyFailure{FailureSpecial}},
		{"empty", "", []PolicyFailure{FailureTooShort, FailureUpper, FailureLower, FailureDigit, FailureSpecial}},
		{"Password1!", "Password1!", []PolicyFailure{FailureCommon}},
		{"P@ssw0rd123", "P@ssw0rd123", []PolicyFailure{FailureCommon}},
		{"Qwerty123!", "Qwerty123!", []PolicyFailure{FailureCommon}},
		{"Welcome1!", "Welcome1!", []PolicyFailure{FailureCommon}},
		{"Azerty123!", "Azerty123!", []PolicyFailure{FailureCommon}},
		{"Motdepasse1!", "Motdepasse1!", []PolicyFailure{FailureCommon}},
		{"Soleil2024!", "Soleil2024!", []PolicyFailure{FailureCommon}},
		{"Bonjour2023!", "Bonjour2023!", []PolicyFailure{FailureCommon}},
		{"Doudou123!", "Doudou123!", []PolicyFailure{FailureCommon}},
		{"Marseille13!", "Marseille13!", []PolicyFailure{FailureCommon}},
		{"Sesame2024!", "Sesame2024!", []PolicyFailure{FailureCommon}},
		{"keyboard walk", "Azertyuiop1!", []PolicyFailure{FailureCommon}},
		{"repeated common password", strings.Repeat("Password1!", 20), []PolicyFailure{FailureCommon}},
		{"name and year", "Nicolas1990!", []PolicyFailure{FailureCommon}},
		{"l33t French word", "S0l3il2024!", []PolicyFailure{FailureCommon}},
		{"Chouchou1!", "Chouchou1!", []PolicyFailure{FailureCommon}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.password); !slices.Equal(got, tt.want) {
				t.Errorf("CheckPassword(%q) = %v, want %v", tt.password, got, tt.want)
			}
		})
	}
}

func TestCheckPasswordFor(t *testing.T) {
	t.Parallel()
	inputs := []string{"jean.dupont@exemple.fr", "Jean Dupont", "id482913"}
	tests := []struct {
		name     string
		password string
		// common with the person's inputs, and without them.
		common, commonAlone bool
	}{
		{"local part", "Jean.dupont1!", true, false},
		{"account id", "Id482913!a", true, false},
		{"surname, common anyway", "Dupont2024!", true, true},
		{"unrelated", "Xk7#mP2q", false, false},
		{"personal word inside a strong passphrase", "Jean aime 3 tartes aux poires !", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slices.Contains(CheckPasswordFor(tt.password, inputs...), FailureCommon); got != tt.common {
				t.Errorf("CheckPasswordFor(%q) common = %v, want %v", tt.password, got, tt.common)
			}
			if got := slices.Contains(CheckPassword(tt.password), FailureCommon); got != tt.commonAlone {
				t.Errorf("CheckPassword(%q) common = %v, want %v", tt.password, got, tt.commonAlone)
			}
		})
	}
}

func TestCheckNewPassword(t *testing.T) {
	t.Parallel()
	if got := CheckNewPassword("Xk7#mP2q", "Xk7#mP2q"); got != nil {
		t.Errorf("same password twice: %v, want nil", got)
	}
	if got := CheckNewPassword("Xk7#mP2q", "Xk7#mP2Q"); !slices.Equal(got, []PolicyFailure{FailureMismatch}) {
		t.Errorf("different confirmation: %v, want [mismatch]", got)
	}
}

// TestCheckPasswordAnalysesPrefix pins the bound that keeps the policy
// cheap: only the first 64 characters go through zxcvbn (whose cost on
// 1024 bytes is seconds), so a weak start is refused even when a strong
// tail follows.
func TestCheckPasswordAnalysesPrefix(t *testing.T) {
	t.Parallel()
	weakStart := strings.Repeat("Password1!", 7) + "Xk7#mP2q-Vb9$"
	if got := CheckPassword(weakStart); !slices.Equal(got, []PolicyFailure{FailureCommon}) {
		t.Errorf("CheckPassword(weak start, strong tail) = %v, want [common]", got)
	}
	strongStart := "Xk7#mP2q-Vb9$" + strings.Repeat("Password1!", 90)
	if got := CheckPassword(strongStart); got != nil {
		t.Errorf("CheckPassword(strong start, %d bytes) = %v, want nil", len(strongStart), got)
	}
}

func TestPolicyError(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("wrapped: %w", enforcePolicy("Password1!"))
	if !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("%v is not ErrWeakPassword", err)
	}
	var pe *PolicyError
	if !errors.As(err, &pe) || !slices.Equal(pe.Failures, []PolicyFailure{FailureCommon}) {
		t.Fatalf("errors.As(%v) = %v", err, pe)
	}
	if enforcePolicy("Xk7#mP2q") != nil {
		t.Fatal("a good password gave an error")
	}
}

package account

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestCommonPatterns: a common word or the person's own words followed by
// the year and a little punctuation is common, and so is a password of the
// embedded breached list; strong passwords still pass.
func TestCommonPatterns(t *testing.T) {
	t.Parallel()
	inputs := []string{"jdupont@exemple.fr", "Jean Dupont", "id482913"}
	year := time.Now().Year()
	y := func(d int) string { return strconv.Itoa(year + d) }
	tests := []struct {
		password string
		common   bool
	}{
		{"Password" + y(0) + "!!", true},
		{"Welcome" + y(0) + "!!", true},
		{"Jdupont" + y(0) + "!!", true},
		{"Password" + y(-1) + "!!", true},
		{"Welcome" + y(1) + "!", true},
		{"Exemple" + y(0) + "!!", true}, // a label of the email's domain
		{"Dupont" + y(0) + "!!", true},  // the name
		{"Dimazarya7!", true},           // rank 47022 of the breached list
		{"Vq7!rT2#pLm9wZ", false},       // random
		{"Jean aime 3 tartes aux poires !", false},
		{"kX9#mPq2$vLz-Owner", false},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			if got := slices.Contains(CheckPasswordFor(tt.password, inputs...), FailureCommon); got != tt.common {
				t.Errorf("CheckPasswordFor(%q) common = %v, want %v", tt.password, got, tt.common)
			}
		})
	}
}

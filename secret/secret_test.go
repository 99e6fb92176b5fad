package secret

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	long := strings.Repeat("a", 32)
	tests := []struct {
		name  string
		list  string
		n     int
		wrong bool
	}{
		{"one", long, 1, false},
		{"two with spaces", long + " , " + strings.Repeat("b", 40), 2, false},
		{"empty", " , ", 0, true},
		{"short", "tooshort", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.list)
			if (err != nil) != tt.wrong {
				t.Fatalf("Parse error = %v, want error %v", err, tt.wrong)
			}
			if err == nil && len(r.secrets) != tt.n {
				t.Fatalf("got %d secrets, want %d", len(r.secrets), tt.n)
			}
		})
	}
}

func TestSealRotation(t *testing.T) {
	old, _ := Parse(strings.Repeat("o", 32))
	sealed := old.Seal("keys", []byte("private"))
	rotated, _ := Parse(strings.Repeat("n", 32) + "," + strings.Repeat("o", 32))
	got, err := rotated.Open("keys", sealed)
	if err != nil || string(got) != "private" {
		t.Fatalf("Open after rotation = %q, %v", got, err)
	}
	if _, err := rotated.Open("other purpose", sealed); !errors.Is(err, ErrOpen) {
		t.Fatalf("Open with another purpose = %v, want ErrOpen", err)
	}
	dropped, _ := Parse(strings.Repeat("n", 32))
	if _, err := dropped.Open("keys", sealed); !errors.Is(err, ErrOpen) {
		t.Fatalf("Open without the old secret = %v, want ErrOpen", err)
	}
	if _, err := dropped.Open("keys", "!!"); !errors.Is(err, ErrOpen) {
		t.Fatalf("Open of garbage = %v, want ErrOpen", err)
	}
	if rotated.Key("a") == nil || string(rotated.Key("a")) == string(rotated.Key("b")) {
		t.Fatal("keys for different purposes must differ")
	}
}

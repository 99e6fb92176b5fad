package oauth_test

import (
	"testing"
	"time"

	"github.com/sesame-idp/sesame/oauth"
)

func TestParseRotation(t *testing.T) {
	cases := []struct {
		name, in string
		want     time.Duration
		wantErr  bool
	}{
		{"days", "30d", 30 * 24 * time.Hour, false},
		{"hours", "12h", 12 * time.Hour, false},
		{"mixed Go duration", "1h30m", 90 * time.Minute, false},
		{"zero days", "0d", 0, true},
		{"fraction of days", "1.5d", 0, true},
		{"negative", "-3h", 0, true},
		{"words", "monthly", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := oauth.ParseRotation(c.in)
			if (err != nil) != c.wantErr || got != c.want {
				t.Errorf("ParseRotation(%q) = %v, %v", c.in, got, err)
			}
		})
	}
}

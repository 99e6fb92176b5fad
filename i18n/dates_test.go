package i18n

import (
	"strings"
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	douala, err := LoadZone("")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 23, 30, 5, 0, time.UTC) // already 2 March in Douala
	for _, tc := range []struct {
		name string
		d    Dates
		got  func(Dates, time.Time) string
		want string
	}{
		{"French in Douala", Dates{French, douala}, Dates.DateTime, "2 mars 2026 à 0 h 30 (WAT)"},
		{"English in Douala", Dates{English, douala}, Dates.DateTime, "2 March 2026 at 00:30 (WAT)"},
		{"French in UTC, first of the month", Dates{French, nil}, Dates.DateTime, "1er mars 2026 à 23 h 30 (UTC)"},
		{"French date", Dates{French, douala}, Dates.Date, "2 mars 2026"},
		{"English stamp", Dates{English, douala}, Dates.Stamp, "2 Mar 2026, 00:30"},
		{"French stamp, seconds", Dates{French, douala}, Dates.StampSeconds, "2 mars 2026 à 0 h 30 min 5 s"},
		{"French stamp, first of the month", Dates{French, nil}, Dates.Stamp, "1er mars 2026 à 23 h 30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.got(tc.d, at); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLoadZone(t *testing.T) {
	if loc, err := LoadZone(""); err != nil || loc.String() != DefaultZone {
		t.Errorf("LoadZone(\"\") = %v, %v; want %s", loc, err, DefaultZone)
	}
	if loc, err := LoadZone("UTC"); err != nil || loc != time.UTC {
		t.Errorf("LoadZone(UTC) = %v, %v", loc, err)
	}
	if _, err := LoadZone("Mars/Olympus"); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("LoadZone(unknown) = %v, want an error naming the zone", err)
	}
}

package i18n

import (
	"fmt"
	"time"
)

// DefaultZone is the display time zone when none is configured
// (SESAME_TIMEZONE): the company's customers are mostly in Cameroon.
const DefaultZone = "Africa/Douala"

// LoadZone returns the display time zone named name (an IANA name such as
// "Africa/Douala" or "UTC"); empty means DefaultZone. The binary embeds
// the zone database (time/tzdata), so this works without /usr/share/zoneinfo.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("i18n: unknown time zone %q (use an IANA name such as Africa/Douala or UTC)", name)
	}
	return loc, nil
}

var (
	monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"}
	shortMonthsFR = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.",
		"août", "sept.", "oct.", "nov.", "déc."}
)

// Dates writes times for readers of one language in one time zone.
type Dates struct {
	Lang Lang
	Zone *time.Location // nil means UTC
}

func (d Dates) in(t time.Time) time.Time {
	if d.Zone == nil {
		return t.UTC()
	}
	return t.In(d.Zone)
}

// DateTime writes t in full, with its zone, for a sentence or a mail:
// "1er mars 2026 à 14 h 05 (WAT)", "1 March 2026 at 14:05 (WAT)".
func (d Dates) DateTime(t time.Time) string {
	t = d.in(t)
	zone := t.Format("MST")
	if d.Lang == French {
		return fmt.Sprintf("%s à %s (%s)", d.frenchDate(t, monthsFR[:]), frenchTime(t), zone)
	}
	return t.Format("2 January 2006 at 15:04") + " (" + zone + ")"
}

// Date writes the day of t: "1er mars 2026", "1 March 2026".
func (d Dates) Date(t time.Time) string {
	t = d.in(t)
	if d.Lang == French {
		return d.frenchDate(t, monthsFR[:])
	}
	return t.Format("2 January 2006")
}

// Stamp writes t briefly, for a table: "1er mars 2026 à 14 h 05", "1 Mar
// 2026, 14:05"; the zone is the display zone.
func (d Dates) Stamp(t time.Time) string {
	t = d.in(t)
	if d.Lang == French {
		return d.frenchDate(t, shortMonthsFR[:]) + " à " + frenchTime(t)
	}
	return t.Format("2 Jan 2006, 15:04")
}

// StampSeconds is Stamp to the second, for the activity log.
func (d Dates) StampSeconds(t time.Time) string {
	t = d.in(t)
	if d.Lang == French {
		return fmt.Sprintf("%s à %s min %d s", d.frenchDate(t, shortMonthsFR[:]), frenchTime(t), t.Second())
	}
	return t.Format("2 Jan 2006, 15:04:05")
}

// ZoneName is the abbreviation of the display zone at t ("WAT", "UTC").
func (d Dates) ZoneName(t time.Time) string { return d.in(t).Format("MST") }

func (d Dates) frenchDate(t time.Time, months []string) string {
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, months[t.Month()-1], t.Year())
}

// frenchTime writes the time of day the French way: "14 h 05", "0 h 30".
func frenchTime(t time.Time) string { return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute()) }

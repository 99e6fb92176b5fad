package account

import "unicode"

// invisible reports whether r shows nothing, or changes how what surrounds
// it shows, so that an address holding it would not read as it is:
// controls (Cc), format characters (Cf: zero-width spaces and joiners,
// bidirectional embeddings, overrides, isolates and marks, the soft
// hyphen, tags), private-use and surrogate code points, code points
// unassigned in the Unicode version Go knows, and the default-ignorable
// or blank characters of other categories (fillers, variation selectors,
// the combining grapheme joiner, the blank Braille pattern).
func invisible(r rune) bool {
	if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, otherInvisible) {
		return true
	}
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z)
}

// otherInvisible lists the default-ignorable code points (Unicode's
// DerivedCoreProperties) outside Cc and Cf, and U+2800 BRAILLE PATTERN
// BLANK, which renders as a space.
var otherInvisible = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x034F, Hi: 0x034F, Stride: 1}, // combining grapheme joiner
		{Lo: 0x115F, Hi: 0x1160, Stride: 1}, // Hangul choseong and jungseong fillers
		{Lo: 0x17B4, Hi: 0x17B5, Stride: 1}, // Khmer inherent vowels
		{Lo: 0x180B, Hi: 0x180F, Stride: 1}, // Mongolian free variation selectors
		{Lo: 0x2800, Hi: 0x2800, Stride: 1}, // Braille pattern blank
		{Lo: 0x3164, Hi: 0x3164, Stride: 1}, // Hangul filler
		{Lo: 0xFE00, Hi: 0xFE0F, Stride: 1}, // variation selectors
		{Lo: 0xFFA0, Hi: 0xFFA0, Stride: 1}, // halfwidth Hangul filler
	},
	R32: []unicode.Range32{
		{Lo: 0xE0000, Hi: 0xE0FFF, Stride: 1}, // tags and variation selectors supplement
	},
}

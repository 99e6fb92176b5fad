package account

import (
	_ "embed"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/matching"
	"github.com/trustelem/zxcvbn/scoring"
)

// Bounds of the guessability estimate (see CheckPasswordFor).
const (
	minGuesses     = 1e8
	analysedRunes  = 64
	minPersonalLen = 3
)

//go:embed common_passwords.txt
var commonPasswordsText string

// commonWords is the embedded list, most likely first: zxcvbn ranks a
// word of an extra dictionary by its position.
var commonWords = parseWordList(commonPasswordsText)

func parseWordList(text string) []string {
	var words []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			words = append(words, line)
		}
	}
	return words
}

// guessable reports whether zxcvbn estimates fewer than minGuesses
// guesses for the first analysedRunes runes of p, with the person's own
// words, the years around now, the embedded list and the breached
// passwords p contains as extra dictionaries.
func guessable(p string, userInputs []string) bool {
	if r := []rune(p); len(r) > analysedRunes {
		p = string(r[:analysedRunes])
	}
	words := append(personalWords(userInputs), yearWords(time.Now())...)
	words = append(words, commonWords...)
	if !utf8.ValidString(p) {
		return true
	}
	// zxcvbn's own total adds 10^4 per extra piece of the password, which
	// lifts any password of three pieces over 10^8 whatever they are
	// ("Welcome" "2026" "!!"): only the product of the pieces' guesses
	// (times the orderings) is counted here.
	matches := matching.Omnimatch(p, withBreached(p, words))
	return scoring.MostGuessableMatchSequence(p, matches, true).Guesses < minGuesses
}

// yearWords are the current year and the years either side: people put
// them in passwords ("Welcome2026!!"), and zxcvbn's own year pattern stops
// at 2019.
func yearWords(now time.Time) []string {
	y := now.Year()
	return []string{strconv.Itoa(y), strconv.Itoa(y - 1), strconv.Itoa(y + 1)}
}

// personalWords turns inputs such as "jean.dupont@example.com" or
// "Jean Dupont" into dictionary words: each input whole, its local part
// and domain labels when it is an email address, and its pieces of letters
// and digits.
func personalWords(inputs []string) []string {
	var words []string
	add := func(w string) {
		if len([]rune(w)) >= minPersonalLen {
			words = append(words, w)
		}
	}
	for _, in := range inputs {
		in = strings.ToLower(strings.TrimSpace(in))
		add(in)
		if local, _, ok := strings.Cut(in, "@"); ok {
			add(local)
		}
		for _, piece := range strings.FieldsFunc(in, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			add(piece)
		}
	}
	return words
}

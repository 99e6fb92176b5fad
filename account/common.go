package account

import (
	_ "embed"
	"strings"
	"unicode"

	"github.com/trustelem/zxcvbn"
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
// words and the embedded list as extra dictionaries.
func guessable(p string, userInputs []string) bool {
	if r := []rune(p); len(r) > analysedRunes {
		p = string(r[:analysedRunes])
	}
	words := append(personalWords(userInputs), commonWords...)
	return zxcvbn.PasswordStrength(p, words).Guesses < minGuesses
}

// personalWords turns inputs such as "jean.dupont@example.com" or
// "Jean Dupont" into dictionary words: each input whole, its local part
// when it is an email address, and its pieces of letters and digits.
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

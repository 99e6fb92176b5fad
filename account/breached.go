package account

import (
	_ "embed"
	"strconv"
	"strings"
)

//go:embed breached_passwords.txt
var breachedText string

// breached maps each word of the embedded list of breached passwords to
// its rank in the list it comes from; breachedMaxRunes is the length of
// its longest word.
var breached, breachedMaxRunes = parseBreached(breachedText)

func parseBreached(text string) (map[string]int, int) {
	words := map[string]int{}
	longest := 0
	for _, line := range strings.Split(text, "\n") {
		rank, word, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || strings.HasPrefix(rank, "#") {
			continue
		}
		n, err := strconv.Atoi(rank)
		if err != nil || n < 1 {
			panic("account: breached_passwords.txt: bad line " + strconv.Quote(line))
		}
		words[word] = n
		longest = max(longest, len([]rune(word)))
	}
	return words, longest
}

// withBreached returns the dictionary words for zxcvbn: words, followed by
// the breached passwords found in p, each at the position of its rank
// (zxcvbn ranks a word of an extra dictionary by its position), empty
// strings filling the gaps. Only the words p contains are passed, so that
// the cost stays that of the password, not of the list.
func withBreached(p string, words []string) []string {
	r := []rune(strings.ToLower(p))
	found := map[string]int{}
	top := 0
	for i := range r {
		for j := i + minBreachedRunes; j <= len(r) && j-i <= breachedMaxRunes; j++ {
			w := string(r[i:j])
			if rank, ok := breached[w]; ok && rank > len(words) {
				found[w] = rank
				top = max(top, rank)
			}
		}
	}
	if len(found) == 0 {
		return words
	}
	out := make([]string, top)
	copy(out, words)
	for w, rank := range found {
		out[rank-1] = w
	}
	return out
}

// minBreachedRunes is the length of the shortest word of the list.
const minBreachedRunes = 4

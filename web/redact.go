package web

import "strings"

// linkTokenParents are the path segments followed by a link token: the
// invitation and password reset links that emails carry.
var linkTokenParents = []string{"invitation", "password-reset"}

// logPath is path as the log may hold it: the segment after an
// invitation or password reset segment, a link token, is replaced, in
// whatever case or shape the path came (a typo, a trailing segment, a
// doubled slash are logged too, by the 404).
func logPath(path string) string {
	segs := strings.Split(path, "/")
	for i := 1; i < len(segs); i++ {
		for _, p := range linkTokenParents {
			if strings.EqualFold(segs[i-1], p) && segs[i] != "" {
				segs[i] = "REDACTED"
			}
		}
	}
	return strings.Join(segs, "/")
}

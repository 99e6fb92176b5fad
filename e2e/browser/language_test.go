package browser_test

import (
	"regexp"
	"strings"
	"testing"
)

// pageWords returns the text a person reads or hears on the page in the
// page's own language: the text of the body, the title, and the labels,
// placeholders and tooltips of elements. Left out: code, kbd, samp and
// pre (identifiers, rights, commands), what people typed and pages mark
// translate="no" (names), and any element marked with another lang (the
// language switch).
const pageWords = `(() => {
  const lang = document.documentElement.lang;
  const skip = (el) => {
    if (el.closest('code, kbd, samp, pre, script, style, datalist, textarea, [translate=no]')) return true;
    const l = el.closest('[lang]');
    return !!l && l.getAttribute('lang') !== lang;
  };
  const out = [document.title];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    const n = w.currentNode;
    if (n.parentElement && !skip(n.parentElement) && n.textContent.trim()) out.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (skip(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
      const v = el.getAttribute(a);
      if (v) out.push(v);
    }
  }
  return out.join('\n');
})()`

// foreignWords are words of the interface in one language that have no
// place on a page in the other: each French page is checked for the
// English list, each English page for the French one. Words both
// languages share (invitation, date, client, service, active) are left
// out.
var foreignWords = map[string]*regexp.Regexp{
	"fr": wordsPattern(`the and you your password passwords sign signed invalid error must cannot account accounts
		with this that please request operator member members right rights expired denied holds deny default allowed
		every is are of to from for by at or no yes save cancel delete remove back link owner login logout invited
		pending none grant granted resource expires created name new user unknown wrong failed holder email emails
		choose enter send sent reason here settings permission permissions`),
	"en": wordsPattern(`le la les des du au aux un une et ou est sont pas avec pour sur dans aucun aucune être vous votre vos
		compte comptes mot passe connexion droit droits titulaire membre membres adresse lien erreur oublié
		connecter enregistrer supprimer retirer accorder serveurs facturation envoyer choisir identifiant raison
		personne invitée invité expiré refusé autorisé`),
}

func wordsPattern(list string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}'’-])(` + strings.Join(strings.Fields(list), "|") + `)(?:$|[^\p{L}\p{N}'’-])`)
}

// frenchWording are French words Sésame's French pages avoid: a calque
// ("opérer"), the other word for the account holder, masculine-only
// forms of being signed in.
var frenchWording = wordsPattern(`opérer opère propriétaire propriétaires connecté connectés déconnecté`)

// clockTime is a time of day written 14:30, which French pages write
// 14 h 30; a date-and-time typed as a form expects (2026-12-31 18:00) is
// left alone.
var clockTime = regexp.MustCompile(`(?:^|[^\d:-])\d{1,2}:\d{2}(?::\d{2})?(?:$|[^\d:])`)

var typedDateTime = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|HH:MM`)

// verbatim matches what a page may show in any language: email
// addresses, URLs and codes such as domain:read or role:owner.
var verbatim = regexp.MustCompile(`\S+@\S+|https?://\S+|[\p{L}\p{N}_.-]+:[\p{L}\p{N}_.*:-]+`)

// languageProblems lists the words of the other language found in the
// page's text, with their context.
func languageProblems(lang, text string) []string {
	re := foreignWords[lang]
	if re == nil {
		return nil
	}
	var bad []string
	for _, line := range strings.Split(text, "\n") {
		if lang == "fr" && clockTime.MatchString(line) && !typedDateTime.MatchString(line) {
			bad = append(bad, "time written hh:mm on a page in fr: "+clip(line, 160))
		}
		clean := verbatim.ReplaceAllString(line, " ")
		if m := re.FindStringSubmatch(clean); m != nil {
			bad = append(bad, "word of the other language "+strings.TrimSpace(m[1])+" on a page in "+lang+": "+clip(line, 160))
		}
		if m := frenchWording.FindStringSubmatch(clean); lang == "fr" && m != nil {
			bad = append(bad, "wording "+strings.TrimSpace(m[1])+" avoided on French pages: "+clip(line, 160))
		}
	}
	return bad
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// TestLanguageDetector: the check of rendered text catches words of the
// other language, avoided wording and hh:mm times, and lets codes,
// addresses and French text through.
func TestLanguageDetector(t *testing.T) {
	for _, tc := range []struct {
		lang, text string
		bad        bool
	}{
		{"fr", "Gérer les boîtes e-mail", false},
		{"fr", "Gérer les boîtes email", true},
		{"fr", "La raison : holds role owner", true},
		{"fr", "olive@example.cm a donné domain:read", false},
		{"fr", "Opérer les serveurs", true},
		{"fr", "le 2 décembre 2026 à 14 h 30", false},
		{"fr", "le 2 décembre 2026 à 14:30", true},
		{"fr", "2026-12-31 18:00 (AAAA-MM-JJ HH:MM)", false},
		{"fr", "2026-12-31 18:00", false},
		{"en", "Sign in with your password", false},
		{"en", "Mot de passe oublié ?", true},
	} {
		if got := len(languageProblems(tc.lang, tc.text)) > 0; got != tc.bad {
			t.Errorf("%s %q: flagged %v, want %v", tc.lang, tc.text, got, tc.bad)
		}
	}
}

package account

// messages holds the sentence of each rule, by language.
var messages = map[string]map[PolicyFailure]string{
	"fr": {
		FailureTooShort: "Le mot de passe doit contenir au moins 8 caractères.",
		FailureTooLong:  "Le mot de passe ne doit pas dépasser 1024 octets.",
		FailureUpper:    "Le mot de passe doit contenir au moins une lettre majuscule.",
		FailureLower:    "Le mot de passe doit contenir au moins une lettre minuscule.",
		FailureDigit:    "Le mot de passe doit contenir au moins un chiffre.",
		FailureSpecial:  "Le mot de passe doit contenir au moins un caractère spécial (ni lettre ni chiffre, l’espace compte).",
		FailureCommon:   "Ce mot de passe est trop courant ou trop facile à deviner : choisissez-en un autre, par exemple une phrase de plusieurs mots.",
		FailureMismatch: "Les deux mots de passe ne sont pas identiques.",
	},
	"en": {
		FailureTooShort: "The password must be at least 8 characters long.",
		FailureTooLong:  "The password must not be longer than 1024 bytes.",
		FailureUpper:    "The password must contain at least one upper-case letter.",
		FailureLower:    "The password must contain at least one lower-case letter.",
		FailureDigit:    "The password must contain at least one digit.",
		FailureSpecial:  "The password must contain at least one special character (neither a letter nor a digit; a space counts).",
		FailureCommon:   "This password is too common or too easy to guess: choose another one, for example a sentence of several words.",
		FailureMismatch: "The two passwords are not the same.",
	},
}

// Message returns the sentence that explains f in lang ("fr" or "en");
// any other language gets French, Sésame's default.
func (f PolicyFailure) Message(lang string) string {
	byRule, ok := messages[lang]
	if !ok {
		byRule = messages["fr"]
	}
	if m, ok := byRule[f]; ok {
		return m
	}
	return string(f)
}

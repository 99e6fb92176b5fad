package account

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length bounds of a password. Length is counted in runes (after Unicode
// NFC normalisation) so that "é" counts once however it was typed; the
// upper bound is in bytes because that is what hashing and storage cost.
const (
	MinPasswordRunes = 8
	MaxPasswordBytes = 1024
)

// PolicyFailure names one rule of the password policy that a password
// breaks. Its value is stable: pages and APIs may send it as a code.
type PolicyFailure string

// The rules of the password policy.
const (
	FailureTooShort PolicyFailure = "too_short" // fewer than MinPasswordRunes characters
	FailureTooLong  PolicyFailure = "too_long"  // more than MaxPasswordBytes bytes
	FailureUpper    PolicyFailure = "upper"     // no upper-case letter
	FailureLower    PolicyFailure = "lower"     // no lower-case letter
	FailureDigit    PolicyFailure = "digit"     // no digit
	FailureSpecial  PolicyFailure = "special"   // nothing but letters and digits
	FailureCommon   PolicyFailure = "common"    // common, or easy to guess
	FailureMismatch PolicyFailure = "mismatch"  // the confirmation differs
)

// Rules lists, in display order, the rules a set-password page shows
// before anything is typed.
func Rules() []PolicyFailure {
	return []PolicyFailure{FailureTooShort, FailureUpper, FailureLower, FailureDigit, FailureSpecial, FailureCommon}
}

// CheckPassword returns the rules password breaks, or nil when it is
// acceptable: at least 8 characters and at most 1024 bytes, any Unicode,
// with an upper-case letter, a lower-case letter, a digit and a special
// character (anything that is neither a letter nor a digit, spaces
// included), and not common or easy to guess (see CheckPasswordFor).
func CheckPassword(password string) []PolicyFailure {
	return CheckPasswordFor(password)
}

// CheckPasswordFor is CheckPassword that also treats userInputs (the
// person's email address, name, account ID…) as the likeliest words of a
// guessing dictionary: a password built on them, such as the email's local
// part followed by "1!", is refused as common unless the rest is strong on
// its own.
//
// Guessability is estimated with zxcvbn, fed with an embedded list of
// common French passwords and words its English dictionaries miss; a
// password passes with an estimate of at least 10^8 guesses (a random
// 8-character password over the four classes). Only the first 64
// characters are analysed: zxcvbn's cost grows steeply with length, and a
// password whose first 64 characters are hard to guess is hard to guess.
func CheckPasswordFor(password string, userInputs ...string) []PolicyFailure {
	if len(password) > MaxPasswordBytes {
		return []PolicyFailure{FailureTooLong}
	}
	p := norm.NFC.String(password)
	var failures []PolicyFailure
	tooShort := utf8.RuneCountInString(p) < MinPasswordRunes
	if tooShort {
		failures = append(failures, FailureTooShort)
	}
	var upper, lower, digit, special bool
	for _, r := range p {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case !unicode.IsLetter(r):
			special = true
		}
	}
	for _, c := range []struct {
		ok bool
		f  PolicyFailure
	}{{upper, FailureUpper}, {lower, FailureLower}, {digit, FailureDigit}, {special, FailureSpecial}} {
		if !c.ok {
			failures = append(failures, c.f)
		}
	}
	// A too-short password is refused anyway; calling it common as well
	// would only add noise.
	if !tooShort && guessable(p, userInputs) {
		failures = append(failures, FailureCommon)
	}
	return failures
}

// CheckNewPassword is CheckPasswordFor for a form that asks for the
// password twice; it adds FailureMismatch when confirm differs.
func CheckNewPassword(password, confirm string, userInputs ...string) []PolicyFailure {
	failures := CheckPasswordFor(password, userInputs...)
	if password != confirm {
		failures = append(failures, FailureMismatch)
	}
	return failures
}

// PolicyError is the error of a password that breaks the policy. It
// matches ErrWeakPassword with errors.Is; use errors.As to read the
// failures.
type PolicyError struct {
	Failures []PolicyFailure
}

// Error lists the codes of the failures.
func (e *PolicyError) Error() string {
	codes := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		codes[i] = string(f)
	}
	return ErrWeakPassword.Error() + ": " + strings.Join(codes, ", ")
}

// Is makes errors.Is(err, ErrWeakPassword) true.
func (e *PolicyError) Is(target error) bool { return target == ErrWeakPassword }

// enforcePolicy returns a *PolicyError when password breaks the policy.
func enforcePolicy(password string, userInputs ...string) error {
	if failures := CheckPasswordFor(password, userInputs...); len(failures) > 0 {
		return &PolicyError{Failures: failures}
	}
	return nil
}

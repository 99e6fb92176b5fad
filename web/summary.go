package web

// The fields each form's error summary leads to (see view.Summary).

// ErrorTarget is the id of the invitation form's field the error is
// about, or of the form's own message when it is about no one field.
func (v consoleView) ErrorTarget() string {
	switch v.ErrorField {
	case "email":
		return "invite-email"
	case "template":
		return "invite-template"
	case "rights":
		return "invite-narrowed"
	case "norights":
		return "invite-no-rights-ok"
	}
	return "invite-error"
}

// ErrorTarget is the id of the first field of the admin form the error
// is about (ErrorForm), or of the rules table for a removal.
func (v adminAccountView) ErrorTarget() string {
	switch v.ErrorForm {
	case "p":
		return "grant-subject"
	case "g":
		return "give-subject"
	}
	return "remove-error"
}

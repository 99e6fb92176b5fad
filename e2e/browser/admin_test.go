package browser_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sesame-idp/sesame/sesametest"
)

const (
	adminEmail    = "root@sesame.test"
	adminPassword = "Pl4tform!-Keeper"
)

// signInAdmin creates the platform admin and signs it in at /admin/login.
func (w world) signInAdmin(tb *tab) {
	tb.t.Helper()
	if _, err := w.Accounts.CreateAdmin(context.Background(), adminEmail, adminPassword); err != nil {
		tb.t.Fatal(err)
	}
	tb.open(w.URL + "/admin/login")
	tb.fill("#email", adminEmail)
	tb.fill("#password", adminPassword)
	if st := tb.click("form[action='/admin/login'] button[type=submit]"); st != 200 {
		tb.t.Fatalf("admin sign-in: status %d at %s", st, tb.url())
	}
	// Every platform admin has a second factor: the first sign-in enrols
	// an authenticator app, then shows the recovery codes once.
	tb.fill("#code", sesametest.TOTPCode(tb.t, tb.text("#otpauth-uri"), time.Now()))
	if st := tb.click("form:has(#code) button[type=submit]"); st != 200 {
		tb.t.Fatalf("admin enrolment: status %d at %s", st, tb.url())
	}
	if st := tb.click("a.button.primary"); st != 200 || tb.url().Path != "/admin" {
		tb.t.Fatalf("admin sign-in: status %d at %s", st, tb.url())
	}
}

// eachScreen runs f in French and English, on a desktop window and on a
// 360 px phone screen, each on a fresh Sésame.
func eachScreen(t *testing.T, f func(t *testing.T, w world, tb *tab)) {
	b := startBrowser(t, "")
	for _, lang := range []string{"fr", "en"} {
		for _, phone := range []bool{false, true} {
			name := lang
			if phone {
				name += "-phone"
			}
			t.Run(name, func(t *testing.T) {
				w := start(t)
				tb := b.with(t, w.URL).newTab(t.Name(), lang)
				if phone {
					tb.phone()
				}
				f(t, w, tb)
			})
		}
	}
}

// TestOwnerCannotBeLockedOut: the admin page offers no removal of the
// owner's rules, refuses a hand-made one next to the form, and keeps
// showing the owner as the owner, who still holds every right.
func TestOwnerCannotBeLockedOut(t *testing.T) {
	eachScreen(t, func(t *testing.T, w world, tb *tab) {
		owner, err := w.Accounts.MemberByEmail(context.Background(), w.AccountID, ownerEmail)
		if err != nil {
			t.Fatal(err)
		}
		w.signInAdmin(tb)
		tb.open(w.URL + "/admin/accounts/" + w.AccountID)
		if n := eval[int](tb, `document.querySelectorAll("form[action$='/rules/remove'] input[name=role][value='role:owner'], form[action$='/rules/remove'] input[name=subject][value='role:owner']").length`); n != 0 {
			t.Fatalf("%d remove buttons for the owner's rules", n)
		}
		protected := map[string]string{"fr": "Protégée", "en": "Protected"}[tb.lang]
		if got := tb.text("#rules + p + table"); !strings.Contains(got, protected) {
			t.Fatalf("the owner's rules are not marked protected:\n%s", got)
		}
		tb.snap("admin-account")

		// A hand-made removal of the owner's role is refused.
		tb.fill("#give-subject", owner.ID)
		tb.fill("#give-role", "role:owner")
		if st := tb.click("form input[name=ptype][value=g] ~ button[type=submit]"); st != 403 {
			t.Fatalf("giving role:owner: status %d, want 403", st)
		}
		if got := tb.text("#give-error"); got == "" {
			t.Fatal("no error next to the form")
		}
		tb.snap("admin-owner-rule-refused")
		role := map[string]string{"fr": "Titulaire", "en": "Owner"}[tb.lang]
		if got := tb.text("#members + table tbody tr"); !strings.Contains(got, role) {
			t.Fatalf("the owner's row does not say %q:\n%s", role, got)
		}
		if ok, err := w.Rights.Allowed(context.Background(), owner.ID, w.AccountID, "billing:pay", ""); err != nil || !ok {
			t.Fatalf("the owner lost billing:pay: %v %v", ok, err)
		}
	})
}

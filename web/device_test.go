package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/secret"
)

func ring(t *testing.T, list string) *secret.Ring {
	t.Helper()
	r, err := secret.Parse(list)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// deviceContext returns a gin context whose request carries cookie (none
// when empty), and its recorder.
func deviceContext(cookie string) (*gin.Context, *httptest.ResponseRecorder) {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodPost, "/login", nil)
	if cookie != "" {
		c.Request.AddCookie(&http.Cookie{Name: "sesame_device", Value: cookie})
	}
	return c, w
}

func setCookie(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == "sesame_device" {
			if !c.HttpOnly || c.MaxAge <= 0 {
				t.Fatalf("device cookie %+v, want HttpOnly and lasting", c)
			}
			return c.Value
		}
	}
	t.Fatal("no device cookie set")
	return ""
}

func TestDeviceCookie(t *testing.T) {
	const old, current = "an-old-secret-of-at-least-32-characters", "the-current-secret-of-32-characters-or-more"
	s := &Server{Deps: Deps{Secrets: ring(t, old)}}
	alice := account.SignInSubject(account.Credentials{Email: "alice@example.com", AccountID: "id123456"})
	bob := account.SignInSubject(account.Credentials{Email: "bob@example.com"})

	c, w := deviceContext("")
	if d := s.device(c, alice); d != (account.Device{}) {
		t.Fatalf("no cookie gave %+v", d)
	}
	s.rememberDevice(c, alice)
	cookie := setCookie(t, w)
	c, _ = deviceContext(cookie)
	d := s.device(c, alice)
	if d.Subject != alice || d.ID == "" {
		t.Fatalf("device for alice = %+v", d)
	}
	if d := s.device(c, bob); d != (account.Device{}) {
		t.Fatalf("alice's cookie vouched for bob: %+v", d)
	}

	// Forged or altered entries count for nothing.
	f := strings.Split(cookie, ".")
	for name, forged := range map[string]string{
		"other subject": bob + "." + f[1] + "." + f[2],
		"other id":      f[0] + ".chosen-id." + f[2],
		"no signature":  f[0] + "." + f[1],
		"garbage":       "~~..~",
	} {
		c, _ := deviceContext(forged)
		if d := s.device(c, alice); d != (account.Device{}) {
			t.Errorf("%s: %+v", name, d)
		}
		if d := s.device(c, bob); d != (account.Device{}) {
			t.Errorf("%s: %+v", name, d)
		}
	}

	// A second person on the same browser keeps the first one's entry and
	// id; the secrets may rotate under them.
	s.Secrets = ring(t, current+","+old)
	c, w = deviceContext(cookie)
	s.rememberDevice(c, bob)
	both := setCookie(t, w)
	c, _ = deviceContext(both)
	if s.device(c, alice) != d || s.device(c, bob).ID == "" {
		t.Fatalf("after bob: alice %+v, bob %+v", s.device(c, alice), s.device(c, bob))
	}
	s.Secrets = ring(t, "a-stranger-secret-of-at-least-32-characters")
	if d := s.device(c, alice); d != (account.Device{}) {
		t.Fatalf("a cookie signed with unknown secrets: %+v", d)
	}

	// At most maxDevices subjects; the newest stay.
	s.Secrets = ring(t, current)
	cookie = ""
	var last string
	for i := range maxDevices + 2 {
		last = account.SignInSubject(account.Credentials{Email: fmt.Sprintf("p%d@example.com", i)})
		c, w := deviceContext(cookie)
		s.rememberDevice(c, last)
		cookie = setCookie(t, w)
	}
	c, _ = deviceContext(cookie)
	if n := len(s.devices(c)); n != maxDevices {
		t.Fatalf("%d subjects remembered, want %d", n, maxDevices)
	}
	if s.device(c, last).ID == "" {
		t.Fatal("the newest subject was dropped")
	}
}

func TestSetRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&account.ThrottledError{RetryAfter: 90*time.Second + time.Millisecond}, "91"},
		{&account.ThrottledError{RetryAfter: 15 * time.Minute}, "900"},
		{&account.ThrottledError{}, "1"},
		{fmt.Errorf("wrapped: %w", &account.ThrottledError{RetryAfter: 2 * time.Second}), "2"},
		{account.ErrThrottled, "60"},
	} {
		c, w := deviceContext("")
		setRetryAfter(c, tt.err)
		if got := w.Header().Get("Retry-After"); got != tt.want {
			t.Errorf("Retry-After for %v = %q, want %q", tt.err, got, tt.want)
		}
	}
}

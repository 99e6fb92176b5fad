package productkit

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSealer(t *testing.T) {
	clk := newClock()
	s, err := newSealer([]byte(strings.Repeat("k", 32)), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newSealer([]byte(strings.Repeat("o", 32)), clk.Now)
	type payload struct{ A string }
	v, err := s.seal("pk_session", payload{A: "hello"}, clk.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	flip := []byte(v)
	flip[len(flip)/2] ^= 1

	tests := []struct {
		name   string
		sealer *sealer
		cookie string
		value  string
		later  time.Duration
		ok     bool
	}{
		{name: "round trip", sealer: s, cookie: "pk_session", value: v, ok: true},
		{name: "tampered", sealer: s, cookie: "pk_session", value: string(flip)},
		{name: "other cookie name", sealer: s, cookie: "pk_flow_x", value: v},
		{name: "other secret", sealer: other, cookie: "pk_session", value: v},
		{name: "expired", sealer: s, cookie: "pk_session", value: v, later: time.Minute},
		{name: "garbage", sealer: s, cookie: "pk_session", value: "!!"},
		{name: "empty", sealer: s, cookie: "pk_session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			c.Advance(tt.later)
			tt.sealer.now = c.Now
			var got payload
			err := tt.sealer.open(tt.cookie, tt.value, &got)
			if tt.ok && (err != nil || got.A != "hello") {
				t.Fatalf("open = %v, %+v", err, got)
			}
			if !tt.ok && !errors.Is(err, errBadCookie) {
				t.Fatalf("open = %v, want errBadCookie", err)
			}
		})
	}
	if _, err := newSealer([]byte("short"), clk.Now); err == nil {
		t.Fatal("short secret accepted")
	}
}

// TestCookieJarChunks stores a value larger than one cookie, reads it
// back, then replaces it by a short one: the extra chunks are deleted.
func TestCookieJarChunks(t *testing.T) {
	clk := newClock()
	s, _ := newSealer([]byte(strings.Repeat("k", 32)), clk.Now)
	jar := &cookieJar{sealer: s}
	big := strings.Repeat("rights ", 1500)

	w := httptest.NewRecorder()
	if err := jar.write(w, httptest.NewRequest("GET", "/", nil), "pk_session", big, clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	cookies := w.Result().Cookies()
	if len(cookies) < 3 {
		t.Fatalf("%d cookies, want the value split in several", len(cookies))
	}
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range cookies {
		if len(c.Value) > chunkSize || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Fatalf("cookie %s: %d bytes, HttpOnly %v, SameSite %v", c.Name, len(c.Value), c.HttpOnly, c.SameSite)
		}
		req.AddCookie(c)
	}
	var got string
	if err := jar.read(req, "pk_session", &got); err != nil || got != big {
		t.Fatalf("read = %v (same value: %v)", err, got == big)
	}

	w = httptest.NewRecorder()
	if err := jar.write(w, req, "pk_session", "small", clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var kept, deleted int
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			deleted++
		} else {
			kept++
		}
	}
	if kept != 1 || deleted != len(cookies)-1 {
		t.Fatalf("kept %d deleted %d, want 1 and %d", kept, deleted, len(cookies)-1)
	}
	if err := jar.write(httptest.NewRecorder(), req, "pk_session", strings.Repeat("x", chunkSize*maxChunks), clk.Now().Add(time.Hour)); err == nil {
		t.Fatal("oversized value accepted")
	}
}

package web_test

import (
	"net/http"
	"testing"

	"github.com/sesame-idp/sesame/sesametest"
	"github.com/sesame-idp/sesame/web"
)

// TestClientAddress: the client address (logged, throttled, audited) is
// the TCP peer whatever the headers say, unless the peer is a trusted
// proxy; then it is the right-most X-Forwarded-For address that is not
// one of ours.
func TestClientAddress(t *testing.T) {
	tests := []struct {
		name    string
		proxies string
		xff     []string // X-Forwarded-For lines
		want    string
	}{
		{"no proxy trusted: headers are ignored", "", []string{"203.0.113.9"}, "127.0.0.1"},
		{"peer not trusted", "10.0.0.0/8", []string{"203.0.113.9"}, "127.0.0.1"},
		{"trusted peer: the address it saw", "127.0.0.0/8", []string{"203.0.113.9"}, "203.0.113.9"},
		{"trusted peer: the right-most, not what the client prepended", "127.0.0.0/8", []string{"198.51.100.7, 203.0.113.9"}, "203.0.113.9"},
		{"a chain of trusted proxies", "127.0.0.0/8, 10.0.0.0/8", []string{"198.51.100.7, 203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
		{"a proxy appends a line", "127.0.0.0/8", []string{"198.51.100.7", "203.0.113.9"}, "203.0.113.9"},
		{"trusted peer, garbage: the peer", "127.0.0.0/8", []string{"not-an-address"}, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logBuffer{}
			s := sesametest.Start(t, sesametest.Options{LogTo: logs, TrustedProxies: tt.proxies})
			req, err := http.NewRequest(http.MethodGet, s.URL+"/login", nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			req.Header.Set("X-Real-IP", "192.0.2.66")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := logs.requestLine(t, "/login")["ip"]; got != tt.want {
				t.Fatalf("client address %v, want %s", got, tt.want)
			}
		})
	}
}

// TestParseTrustedProxies: CIDRs and bare addresses are accepted, anything
// else refused.
func TestParseTrustedProxies(t *testing.T) {
	for _, ok := range []string{"", "10.0.0.0/8", " 10.0.0.0/8 , 192.0.2.1,2001:db8::/32 "} {
		if _, err := web.ParseTrustedProxies(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0.0/8;192.0.2.0/24"} {
		if _, err := web.ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

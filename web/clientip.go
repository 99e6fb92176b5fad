package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"
)

// ParseTrustedProxies reads SESAME_TRUSTED_PROXIES: comma-separated CIDRs
// (a bare address means that address alone). Empty means no proxy is
// trusted. An entry that is not a CIDR is an error, so that a typo never
// silently trusts nobody, or everybody.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			a, err := netip.ParseAddr(p)
			if err != nil {
				return nil, fmt.Errorf("web: trusted proxy %q is not a CIDR such as 10.0.0.0/8", p)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("web: trusted proxy %q is not a CIDR such as 10.0.0.0/8", p)
		}
		out = append(out, pfx.Masked())
	}
	return out, nil
}

// clientAddress puts the client's address in RemoteAddr, where every
// c.ClientIP() reads it (sign-in throttling, audit, sessions, the log).
// It is the TCP peer, unless the peer is a trusted proxy: then it is the
// right-most X-Forwarded-For address that is not a trusted proxy, the
// left part of the header being whatever the client chose to send.
func (s *Server) clientAddress(c *gin.Context) {
	if len(s.TrustedProxies) > 0 {
		if ip, ok := s.forwardedFor(c.Request); ok {
			_, port, _ := net.SplitHostPort(c.Request.RemoteAddr)
			if port == "" {
				port = "0"
			}
			c.Request.RemoteAddr = net.JoinHostPort(ip.String(), port)
		}
	}
	c.Next()
}

// forwardedFor returns the client address a chain of trusted proxies
// reports, or false when the peer is not one of them or reports nothing
// usable. Every X-Forwarded-For line counts: a proxy may append a line
// rather than extend the last one.
func (s *Server) forwardedFor(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return netip.Addr{}, false
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// Garbage where a trusted proxy wrote an address: believe
			// nothing further left, the last trusted hop is the client.
			return last, last != peer
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a, true
		}
		last = a
	}
	// Every hop is a proxy of ours: the left-most one is the client.
	return last, last != peer
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

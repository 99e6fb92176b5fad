package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// measure counts every request by route pattern (gin's FullPath, never the
// raw path, which holds IDs and link tokens), method and status, with its
// duration, and every 429 as a throttle hit of its route. It runs before
// the recoverer, so that it sees the status of a panic's 500 too.
func (s *Server) measure(c *gin.Context) {
	if s.Metrics == nil {
		c.Next()
		return
	}
	start := time.Now()
	c.Next()
	status := c.Writer.Status()
	s.Metrics.ObserveRequest(c.FullPath(), c.Request.Method, status, time.Since(start))
	if status == http.StatusTooManyRequests {
		s.Metrics.ThrottleHit(c.FullPath())
	}
}

// signInOutcome counts a sign-in by outcome (metrics.SignInSuccess…).
func (s *Server) signInOutcome(outcome string) { s.Metrics.SignIn(outcome) }

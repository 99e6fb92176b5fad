package web

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/metrics"
)

// measure counts every request by route pattern (gin's FullPath, never the
// raw path, which holds IDs and link tokens), method and status, with its
// duration. It runs first, so that it sees the status of a panic's 500 too.
func (s *Server) measure(c *gin.Context) {
	if s.Metrics == nil {
		c.Next()
		return
	}
	start := time.Now()
	c.Next()
	s.Metrics.ObserveRequest(c.FullPath(), c.Request.Method, c.Writer.Status(), time.Since(start))
}

// signInOutcome counts a sign-in by outcome, and a throttle hit of scope
// when the outcome is metrics.SignInThrottled.
func (s *Server) signInOutcome(outcome, throttleScope string) {
	s.Metrics.SignIn(outcome)
	if outcome == metrics.SignInThrottled {
		s.Metrics.ThrottleHit(throttleScope)
	}
}

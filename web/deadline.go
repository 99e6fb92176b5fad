package web

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
)

// DefaultRequestTimeout bounds every request when Deps.RequestTimeout is
// zero. Nothing in Sésame long-polls; a request still running after it is
// stuck (a lock, a database that stopped answering), and holding it longer
// would only pile others behind it.
const DefaultRequestTimeout = 15 * time.Second

// deadline gives the request's context a deadline, so that every database
// call of the request ends by then; the handler then answers 503.
func (s *Server) deadline(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

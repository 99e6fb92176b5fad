package web

import "github.com/gin-gonic/gin"

// mountAdmin adds the platform admins' area: sign-in, policy editor, role
// templates and the explain tool (pages and JSON API).
func (s *Server) mountAdmin(r gin.IRouter) {
}

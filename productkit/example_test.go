package productkit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/sesame-idp/sesame/productkit"
)

// Example protects a product's API route with a right: the Guard checks
// the bearer access token Sésame issued (issuer, audience, signature),
// and Require lets through only who holds domain:dns on the domain of the
// path. Neither contacts Sésame until a token arrives.
func Example() {
	gin.SetMode(gin.ReleaseMode)
	issuer, _ := productkit.NewIssuer(productkit.IssuerConfig{URL: "https://login.example.cm"})
	guard, _ := productkit.NewGuard(productkit.GuardConfig{Issuer: issuer, Audience: "dns-panel"})
	r := gin.New()
	api := r.Group("/api", guard.Middleware())
	api.PUT("/domains/:domain/records", productkit.Require("domain:dns", productkit.ResourceParam("domain")),
		func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"saved": true}) })

	// Without a token the request stops before the handler.
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodPut, "/api/domains/example.cm/records", nil))
	fmt.Println(w.Code)
	// Output: 401
}

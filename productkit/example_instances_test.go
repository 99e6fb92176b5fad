package productkit_test

import (
	"context"
	"database/sql"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"
	_ "github.com/lib/pq"

	"github.com/sesame-idp/sesame/productkit"
)

// Example_severalInstances wires a product with several instances: sign-in, API guard, live
// checks, and the receivers of what Sésame pushes, all over one PostgreSQL
// revocation store. The product is registered at Sésame with
//
//	--redirect-uri https://domaines.example.cm/callback
//	--post-logout-redirect-uri https://domaines.example.cm/signed-out
//	--backchannel-logout-uri https://domaines.example.cm/backchannel-logout
//	--events-uri https://domaines.example.cm/events
func Example_severalInstances() {
	ctx := context.Background()
	issuer, err := productkit.NewIssuer(productkit.IssuerConfig{URL: "https://login.example.cm"})
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("postgres", "postgres://domaines@db.example.cm/domaines?sslmode=verify-full")
	if err != nil {
		log.Fatal(err)
	}
	// One instance: productkit.NewMemoryRevocations(0, nil) is enough.
	store, err := productkit.NewPostgresRevocations(ctx, productkit.PostgresConfig{DB: db})
	if err != nil {
		log.Fatal(err)
	}
	wa, err := productkit.NewWebAuth(productkit.WebAuthConfig{
		Issuer: issuer, ClientID: "domain-panel", ClientSecret: "…",
		RedirectURL:  "https://domaines.example.cm/callback",
		CookieSecret: []byte("a secret of at least 32 bytes, shared by the instances"),
		Revocations:  store,
	})
	if err != nil {
		log.Fatal(err)
	}
	guard, _ := productkit.NewGuard(productkit.GuardConfig{Issuer: issuer, Audience: "domain-panel", Revocations: store})
	checker, _ := productkit.NewChecker(productkit.CheckerConfig{
		Issuer: issuer, ClientID: "domain-panel", ClientSecret: "…", Revocations: store,
	})
	receiver, _ := productkit.NewReceiver(productkit.ReceiverConfig{Issuer: issuer, ClientID: "domain-panel", Store: store})

	r := gin.New()
	wa.Mount(r)       // /login, /callback, POST /logout, /signed-out
	receiver.Mount(r) // POST /backchannel-logout, POST /events
	web := r.Group("/", wa.RequireSignIn(), wa.SameOrigin())
	web.GET("/domains/:domain", productkit.Require("domain:read", productkit.ResourceParam("domain")), func(c *gin.Context) {
		// The page's sign-out button is a form carrying the CSRF token:
		// <form method="post" action="/logout">
		//   <input type="hidden" name="csrf" value="{{.CSRF}}">
		//   <button type="submit">Se déconnecter</button>
		// </form>
		c.HTML(http.StatusOK, "domain.html", gin.H{"CSRF": wa.CSRFToken(c), "Logout": wa.LogoutPath()})
	})
	// A destructive action is decided live by Sésame's check API.
	web.POST("/domains/:domain/records", productkit.Require("domain:dns", productkit.ResourceParam("domain"),
		productkit.Live(checker)), func(c *gin.Context) { c.Status(http.StatusSeeOther) })
	api := r.Group("/api", guard.Middleware())
	api.DELETE("/domains/:domain/records/:id", productkit.Require("domain:dns", productkit.ResourceParam("domain"),
		productkit.Live(checker)), func(c *gin.Context) { c.Status(http.StatusNoContent) })
	_ = http.ListenAndServe(":8081", r)
}

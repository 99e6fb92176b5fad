package main

import (
	"context"
	"testing"

	"github.com/sesame-idp/sesame/oauth/sqlstore"
)

// TestDemoPanelLinked: a demo panel is registered with its URL as home
// page and its product, so that "Mon compte" links to it.
func TestDemoPanelLinked(t *testing.T) {
	sqliteEnv(t)
	a := openTestApp(t)
	ctx := context.Background()
	if _, err := demoPanel(ctx, a, "server", "http://localhost:8082"); err != nil {
		t.Fatal(err)
	}
	fc, err := a.Clients.GetClient(ctx, "server-panel")
	if err != nil {
		t.Fatal(err)
	}
	if c := fc.(*sqlstore.Client); c.ClientURI != "http://localhost:8082" || c.Product != "server" {
		t.Fatalf("client URI %q product %q, want the panel URL and server", c.ClientURI, c.Product)
	}
}
